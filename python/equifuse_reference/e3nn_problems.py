"""Builds e3nn TensorProduct modules for the entries of bench/problems.json, with the same
construction equifuse uses (TensorProductProblem builders): MACE's channel-wise "uvu" product with
per-sample weights for entries with `out_filter`, e3nn's FullyConnectedTensorProduct otherwise."""

from e3nn import o3


def channelwise_instructions(irreps_in1, irreps_in2, out_filter):
    """MACE's convolution construction: one uvu output block per allowed path in the filter,
    output blocks sorted by irrep (as mace.modules.irreps_tools.tp_out_irreps_with_instructions)."""
    out_blocks, instructions = [], []
    for i1, (mul, ir1) in enumerate(irreps_in1):
        for i2, (_, ir2) in enumerate(irreps_in2):
            for ir_out in ir1 * ir2:
                if ir_out in out_filter:
                    instructions.append((i1, i2, len(out_blocks), "uvu", True))
                    out_blocks.append((mul, ir_out))
    irreps_out, permutation, _ = o3.Irreps(out_blocks).sort()
    instructions = [(a, b, permutation[c], m, w) for a, b, c, m, w in instructions]
    return irreps_out, sorted(instructions, key=lambda ins: ins[2])


def e3nn_module(entry):
    """(module, shared_weights) for one bench/problems.json entry."""
    in1, in2 = o3.Irreps(entry["in1"]), o3.Irreps(entry["in2"])
    if entry["mode"] == "uvu":
        shared = entry.get("weights", "per-sample") == "shared"
        out, instructions = channelwise_instructions(in1, in2, o3.Irreps(entry["out_filter"]))
        return o3.TensorProduct(in1, in2, out, instructions, shared_weights=shared, internal_weights=False), shared
    shared = entry.get("weights", "shared") == "shared"
    return o3.FullyConnectedTensorProduct(in1, in2, entry["out"], shared_weights=shared,
                                          internal_weights=False), shared
