#!/usr/bin/env python3
"""Writes e3nn reference data that the C++ tests compare against.

    e3nn_reference.py OUTDIR [--golden] [--seed N]

OUTDIR receives:
  tensor_products.json     one entry per case: the problem as e3nn built it, inputs, and e3nn's
                           forward, backward and double-backward results in float64 and float32
  wigner_3j.json           e3nn.o3.wigner_3j for every triangle-valid (l1, l2, l3) up to lmax
  spherical_harmonics.json e3nn.o3.spherical_harmonics (each normalisation, normalize on/off)
                           with the Jacobian with respect to the input vector
  wigner_d.json            e3nn.o3.wigner_D and the rotation matrix for a few Euler angles
  versions.json            the torch and e3nn versions that wrote the data

--golden writes the smaller set committed under tests/data/e3nn (smaller batches and degrees).
Exit status 77 means e3nn (or torch) is not importable: the caller reports the tests as skipped.
"""

import argparse
import json
import math
import os
import sys

try:
    import torch
    from e3nn import o3
    import e3nn
except ImportError as error:  # pragma: no cover - environment dependent
    print(f"SKIPPED: cannot import torch/e3nn ({error})")
    sys.exit(77)

from e3nn_problems import channelwise_instructions


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# --------------------------------------------------------------------------------------------
# Tensor-product cases. Each is (name, spec) where spec is the explicit problem (instructions as
# e3nn tuples) or a builder that produces one. Multiplicities are odd on purpose.
# --------------------------------------------------------------------------------------------


def explicit(in1, in2, out, instructions, **options):
    spec = {"irreps_in1": in1, "irreps_in2": in2, "irreps_out": out, "instructions": instructions}
    spec.update(options)
    return spec


def tensor_product_cases(golden):
    mul = 3 if golden else 17
    cases = []

    # Fully connected (uvw, shared weights), built by e3nn and by our builder.
    for in1, in2, out in [
        ("3x0e+2x1o+1x2e", "2x0e+1x1o+1x2e", "4x0e+3x1o+2x2e+1x3o"),
        ("2x0e+1x1e+3x1o", "1x0o+1x1o", "3x0o+2x1e+1x1o+2x2e"),
    ]:
        tp = o3.FullyConnectedTensorProduct(in1, in2, out, internal_weights=False, shared_weights=True)
        instructions = [(i.i_in1, i.i_in2, i.i_out, i.connection_mode, i.has_weight) for i in tp.instructions]
        cases.append((f"fully_connected {in1} x {in2}",
                      dict(explicit(in1, in2, out, instructions, shared_weights=True),
                           builder={"kind": "fully_connected", "in1": in1, "in2": in2, "out": out})))

    # MACE-style channel-wise uvu with per-sample weights, up to l = 3 and l = 6.
    for in1, in2, flt in [
        (f"{mul}x0e+{mul}x1o+{mul}x2e", "0e+1o+2e+3o", "0e+1o+2e+3o"),
        ("3x0o+3x0e+3x1o+3x1e+3x2o+3x2e", "0e+1o+2e", "0o+0e+1o+1e+2o+2e"),
        ("3x4e+1x5o+1x6e", "0e+1o+6e", "0e+1o+2e+5o+6e" if golden else "0e+1o+2e+3o+4e+5o+6e"),
    ]:
        out, instructions = channelwise_instructions(o3.Irreps(in1), o3.Irreps(in2), o3.Irreps(flt))
        cases.append((f"channelwise {in1} x {in2}",
                      dict(explicit(in1, in2, str(out), instructions, shared_weights=False),
                           builder={"kind": "channelwise", "in1": in1, "in2": in2, "out_filter": flt})))

    # Every mode, with and without weights, shared and per-sample.
    cases += [
        ("uvw per-sample norm/path", explicit(
            "3x0e+2x1o+1x2e", "1x1o+2x2e", "2x1o+3x2e+1x3o",
            [(0, 0, 0, "uvw", True), (1, 0, 1, "uvw", True), (2, 1, 1, "uvw", True), (1, 1, 2, "uvw", True),
             (2, 0, 2, "uvw", True), (2, 0, 0, "uvw", True), (0, 1, 1, "uvw", True)],
            shared_weights=False, irrep_normalization="norm", path_normalization="path")),
        ("uvu shared, unweighted path", explicit(
            f"{mul}x1o+{mul}x2e", "2x1o+1x0e", f"{mul}x1e+{mul}x2e+{mul}x1o",
            [(0, 0, 0, "uvu", True), (1, 1, 1, "uvu", False), (0, 1, 2, "uvu", True), (0, 0, 1, "uvu", True),
             (1, 0, 2, "uvu", True)],
            shared_weights=True)),
        ("uvv both", explicit(
            "3x0e+2x1o", "5x0e+5x1e+5x2o", "5x0e+5x1o+5x2e+5x1e",
            [(0, 0, 0, "uvv", True), (1, 1, 1, "uvv", False), (1, 2, 2, "uvv", True), (0, 1, 3, "uvv", True),
             (1, 0, 1, "uvv", True)],
            shared_weights=False)),
        ("uuw both", explicit(
            "3x1o+3x2e", "3x1o+3x0e", "4x0e+4x1e+1x2e+2x2o",
            [(0, 0, 0, "uuw", True), (0, 0, 1, "uuw", True), (1, 1, 2, "uuw", False), (1, 0, 3, "uuw", True),
             (0, 0, 2, "uuw", False)],
            shared_weights=True)),
        ("uuu both", explicit(
            "3x0e+3x1o+3x2e", "3x1o+3x2e", "3x1o+3x1e+3x2e+3x3o",
            [(0, 0, 0, "uuu", True), (1, 0, 1, "uuu", False), (2, 1, 2, "uuu", True), (1, 1, 3, "uuu", True),
             (2, 0, 0, "uuu", False)],
            shared_weights=False)),
        ("path weights, empty and unused blocks", explicit(
            "2x0e+0x1o+3x1o", "1x1o+1x0e", "3x1o+2x1o+1x2e+2x0e",
            [(0, 0, 1, "uvw", True, 0.5), (2, 0, 2, "uvw", True, 2.0), (2, 1, 0, "uvu", True, 1.5),
             (1, 1, 1, "uvw", True)],
            shared_weights=True)),
    ]

    # Every normalisation combination on one problem.
    for irrep_norm in ["component", "norm", "none"]:
        for path_norm in ["element", "path", "none"]:
            cases.append((f"normalization {irrep_norm}/{path_norm}", explicit(
                "3x0e+1x1o+2x2e", "1x1o+1x2e", "2x1o+3x2e+1x0e",
                [(0, 0, 0, "uvw", True), (1, 1, 0, "uvw", True), (1, 0, 1, "uvw", True), (2, 1, 1, "uvw", True),
                 (1, 0, 2, "uvw", True), (2, 1, 2, "uvw", True), (2, 0, 0, "uvw", True)],
                shared_weights=irrep_norm != "norm", irrep_normalization=irrep_norm,
                path_normalization=path_norm)))
    return cases


def run_tensor_product(spec, batch, generator):
    tp = o3.TensorProduct(
        spec["irreps_in1"], spec["irreps_in2"], spec["irreps_out"], spec["instructions"],
        irrep_normalization=spec.get("irrep_normalization", "component"),
        path_normalization=spec.get("path_normalization", "element"),
        shared_weights=spec["shared_weights"], internal_weights=False)
    n1, n2, n3, nw = tp.irreps_in1.dim, tp.irreps_in2.dim, tp.irreps_out.dim, tp.weight_numel
    wshape = (nw,) if spec["shared_weights"] else (batch, nw)

    def rand(*shape):
        # float32-representable values, so both precisions see exactly the same inputs
        return torch.randn(*shape, generator=generator, dtype=torch.float32)

    inputs = {"x": rand(batch, n1), "y": rand(batch, n2), "weights": rand(*wshape), "grad_out": rand(batch, n3),
              "grad_grad_x": rand(batch, n1), "grad_grad_y": rand(batch, n2), "grad_grad_weights": rand(*wshape)}
    entry = {
        "problem": spec,
        "batch": batch,
        "e3nn_irreps_out": str(tp.irreps_out),
        "e3nn_weight_numel": nw,
        "e3nn_coefficients": [float(i.path_weight) for i in tp.instructions],
        "inputs": {k: flat(v) for k, v in inputs.items()},
    }
    for dtype, name in [(torch.float64, "float64"), (torch.float32, "float32")]:
        tp_d = tp.to(dtype)
        v = {k: t.to(dtype).clone().requires_grad_(True) for k, t in inputs.items()}
        out = tp_d(v["x"], v["y"], v["weights"]) if nw > 0 else tp_d(v["x"], v["y"])
        wrt = [v["x"], v["y"]] + ([v["weights"]] if nw > 0 else [])
        grads = torch.autograd.grad(out, wrt, v["grad_out"], create_graph=True, allow_unused=True)
        grads = [g if g is not None else torch.zeros_like(t) for g, t in zip(grads, wrt)]
        gx, gy = grads[0], grads[1]
        gw = grads[2] if nw > 0 else torch.zeros(wshape, dtype=dtype)
        loss = (gx * v["grad_grad_x"]).sum() + (gy * v["grad_grad_y"]).sum()
        if nw > 0:
            loss = loss + (gw * v["grad_grad_weights"]).sum()
        wrt2 = [v["x"], v["y"], v["grad_out"]] + ([v["weights"]] if nw > 0 else [])
        dd = torch.autograd.grad(loss, wrt2, allow_unused=True)
        dd = [g if g is not None else torch.zeros_like(t) for g, t in zip(dd, wrt2)]
        entry[name] = {
            "forward": {"out": flat(out)},
            "backward": {"grad_x": flat(gx), "grad_y": flat(gy), "grad_weights": flat(gw)},
            "double_backward": {"grad_x": flat(dd[0]), "grad_y": flat(dd[1]), "grad_grad_out": flat(dd[2]),
                                "grad_weights": flat(dd[3]) if nw > 0 else flat(torch.zeros(wshape))},
        }
    return entry


def write_wigner_3j(lmax):
    blocks = []
    for l1 in range(lmax + 1):
        for l2 in range(lmax + 1):
            for l3 in range(abs(l1 - l2), min(l1 + l2, lmax) + 1):
                c = o3.wigner_3j(l1, l2, l3, dtype=torch.float64).reshape(-1)
                nz = torch.nonzero(c.abs() > 1e-14).reshape(-1)
                blocks.append({"l": [l1, l2, l3], "index": nz.tolist(), "value": flat(c[nz])})
    return {"lmax": lmax, "blocks": blocks}


def write_spherical_harmonics(lmax, count, generator):
    vectors = torch.randn(count, 3, generator=generator, dtype=torch.float64)
    vectors[0] = torch.tensor([0.0, 0.0, 0.0], dtype=torch.float64)  # e3nn: zero vector -> Y^l>0 = 0
    vectors[1] = torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64)
    vectors[2] *= 1e-3
    sets = []
    for normalize in [True, False]:
        for normalization in ["integral", "component", "norm"]:
            for ls in [list(range(lmax + 1)), [3, 1, 1]]:
                rows = vectors[1:] if normalize else vectors  # Jacobian at |x| = 0 is not finite
                jac = []
                values = o3.spherical_harmonics(ls, rows, normalize, normalization)
                for row in rows:
                    j = torch.autograd.functional.jacobian(
                        lambda v: o3.spherical_harmonics(ls, v, normalize, normalization), row)
                    jac.append(j)
                sets.append({"ls": ls, "normalize": normalize, "normalization": normalization,
                             "vectors": flat(rows), "values": flat(values), "jacobian": flat(torch.stack(jac)),
                             "zero_vector_values": flat(o3.spherical_harmonics(
                                 ls, torch.zeros(1, 3, dtype=torch.float64), normalize, normalization))})
    return {"sets": sets}


def write_wigner_d(lmax):
    angles = [(0.3, 1.1, -0.7), (2.5, 0.4, 1.9), (-1.2, 2.8, 0.05)]
    entries = []
    for a, b, g in angles:
        ta, tb, tg = (torch.tensor(v, dtype=torch.float64) for v in (a, b, g))
        entries.append({"angles": [a, b, g], "matrix": flat(o3.angles_to_matrix(ta, tb, tg)),
                        "d": [flat(o3.wigner_D(l, ta, tb, tg)) for l in range(lmax + 1)]})
    return {"lmax": lmax, "rotations": entries}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--golden", action="store_true", help="write the small committed set")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    generator = torch.Generator().manual_seed(args.seed)
    batch = 2 if args.golden else 5
    lmax_3j = 6 if args.golden else 8
    lmax_sh = 8 if args.golden else 11

    def dump(name, data):
        with open(os.path.join(args.outdir, name), "w") as f:
            json.dump(data, f, separators=(",", ":"))

    dump("versions.json", {"torch": torch.__version__, "e3nn": e3nn.__version__, "golden": args.golden,
                           "seed": args.seed})
    cases = [dict(name=name, **run_tensor_product(spec, batch, generator))
             for name, spec in tensor_product_cases(args.golden)]
    dump("tensor_products.json", {"cases": cases})
    dump("wigner_3j.json", write_wigner_3j(lmax_3j))
    dump("spherical_harmonics.json", write_spherical_harmonics(lmax_sh, 6 if args.golden else 12, generator))
    dump("wigner_d.json", write_wigner_d(8))
    print(f"e3nn {e3nn.__version__} (torch {torch.__version__}): wrote {len(cases)} tensor-product cases, "
          f"Wigner 3j up to l={lmax_3j}, spherical harmonics up to l={lmax_sh} to {args.outdir}")


if __name__ == "__main__":
    main()
