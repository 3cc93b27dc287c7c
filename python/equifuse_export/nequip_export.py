"""Writes an equifuse potential file from a NequIP model (nequip >= 0.7 GraphModel; tested with
nequip 0.19.1, e3nn 0.6.0).

Supported: NequIPGNNModel / FullNequIPGNNModel with gate non-linearities (SiLU/tanh), with or
without self-connections and resnets, global or per-type avg_num_neighbors, any readout MLP depth,
per-type energy scales and shifts, element type names. Refused with a message: pair potentials
(ZBL), per-edge-type cutoffs, categorical graph-field embeddings, norm non-linearities, Allegro and
other architectures, accelerated (OpenEquivariance / cuEquivariance) modules.

The gate's channel bookkeeping (e3nn sorts and splits its input) is read by probing the module
with index vectors, and the whole gate is checked numerically against e3nn before writing.
"""

import json
import math

import numpy as np
import torch

from . import FORMAT_NAME, FORMAT_VERSION
from .mace_export import UnsupportedModel
from .safetensors_writer import write_safetensors


def _array(tensor):
    return tensor.detach().cpu().to(torch.float64).numpy()


_ACTIVATIONS = {torch.nn.functional.silu: 0, torch.tanh: 1}


def _activation(normalized, what):
    function = getattr(normalized, "f", normalized)
    for known, code in _ACTIVATIONS.items():
        if function is known:
            scale = 1.0 if getattr(normalized, "_is_id", False) else float(getattr(normalized, "cst", 1.0))
            return code, scale
    raise UnsupportedModel(f"{what}: only SiLU and tanh activations are supported, found {function}")


def _per_element_activations(activation_module, what):
    """e3nn Activation -> (kind, scale) per element of its input."""
    kinds, scales = [], []
    for (mul, ir), act in zip(activation_module.irreps_in, activation_module.acts):
        if act is None:
            raise UnsupportedModel(f"{what}: an irrep without activation")
        code, scale = _activation(act, what)
        kinds += [code] * (mul * ir.dim)
        scales += [scale] * (mul * ir.dim)
    return kinds, scales


def _gate_tensors(gate, prefix, tensors):
    """Index maps of e3nn's Gate: out = [act(x[scalar_index]), x[gated_index] * act(x[gate_index][gated_gate])]."""
    dim = gate.irreps_in.dim
    probe = torch.arange(dim, dtype=torch.float64)[None]
    scalars, gates, gated = (t[0].round().long().numpy() for t in gate.sc(probe))
    scalar_kind, scalar_scale = _per_element_activations(gate.act_scalars, prefix)
    gate_kind, gate_scale = ([], [])
    if len(gates):
        gate_kind, gate_scale = _per_element_activations(gate.act_gates, prefix)
    # Elementwise product: gated copy c (over num_irreps, in order) is multiplied by gate c.
    gated_gate = []
    copy = 0
    for mul, ir in gate.irreps_gated:
        for _ in range(mul):
            gated_gate += [copy] * ir.dim
            copy += 1
    tensors[f"{prefix}.gate.scalar_index"] = np.asarray(scalars, dtype=np.int32)
    tensors[f"{prefix}.gate.scalar_activation"] = np.asarray(scalar_kind, dtype=np.int32)
    tensors[f"{prefix}.gate.scalar_scale"] = np.asarray(scalar_scale, dtype=np.float64)
    tensors[f"{prefix}.gate.gate_index"] = np.asarray(gates, dtype=np.int32)
    tensors[f"{prefix}.gate.gate_activation"] = np.asarray(gate_kind, dtype=np.int32)
    tensors[f"{prefix}.gate.gate_scale"] = np.asarray(gate_scale, dtype=np.float64)
    tensors[f"{prefix}.gate.gated_index"] = np.asarray(gated, dtype=np.int32)
    tensors[f"{prefix}.gate.gated_gate"] = np.asarray(gated_gate, dtype=np.int32)
    # Check the bookkeeping against e3nn itself.
    x = torch.randn(3, dim, dtype=torch.float64)
    expected = gate(x).detach().numpy()
    xn = x.numpy()
    acts = [lambda z: z / (1 + np.exp(-z)), np.tanh]
    out_s = np.stack([scalar_scale[k] * acts[scalar_kind[k]](xn[:, scalars[k]])
                      for k in range(len(scalars))], axis=1) if len(scalars) else np.zeros((3, 0))
    if len(gates):
        g = np.stack([gate_scale[c] * acts[gate_kind[c]](xn[:, gates[c]]) for c in range(len(gates))], axis=1)
        out_g = xn[:, gated] * g[:, gated_gate]
        ours = np.concatenate([out_s, out_g], axis=1)
    else:
        ours = out_s
    if ours.shape != expected.shape or not np.allclose(ours, expected, rtol=1e-12, atol=1e-12):
        raise UnsupportedModel(f"{prefix}: the gate does not have the expected structure")
    return str(gate.irreps_in), str(gate.irreps_out)


def _pair_potential(zbl, bessel, species, type_names):
    """nequip's ZBL (after the per-type scale and shift, unscaled): per directed edge
    K Z_i Z_j / r phi(r / a) f(r / r_max), a = a0 / (Z_i^0.23 + Z_j^0.23), given to the centre."""
    if type(zbl).__name__ != "ZBL":
        raise UnsupportedModel(f"pair potential {type(zbl).__name__} is not supported (ZBL)")
    numbers = [int(round(z)) for z in _array(zbl.atomic_numbers).reshape(-1)]
    if numbers != species:
        raise UnsupportedModel(f"the ZBL's atomic numbers {numbers} differ from the type names "
                               f"{type_names}")
    # Models built by nequip < 0.17 have no cutoff of their own: they reuse the Bessel
    # encoding's envelope.
    p = float(zbl.cutoff.p) if hasattr(zbl, "cutoff") else float(bessel.cutoff.p)
    if p != int(p):
        raise UnsupportedModel(f"non-integer ZBL envelope exponent {p}")
    # _ZBL.forward's constants (code, not state; LAMMPS's pair_zbl_const.h).
    return {
        "prefactor": float(zbl._qqr2exesquare),
        "screening_length": 0.46850,
        "screening_exponent": 0.23,
        "coefficients": [0.18175, 0.50986, 0.28022, 0.02817],
        "exponents": [3.19980, 0.94229, 0.40290, 0.20162],
        "polynomial_cutoff_p": int(p),
        "cutoff": "r_max",
    }


def export_nequip(graph_model, path, source_note=""):
    """Writes `graph_model` (a nequip GraphModel in eager mode) to `path`. Returns the config."""
    import ase.data
    import nequip
    from nequip.nn import ConvNetLayer
    from nequip.nn.embedding import BesselEdgeLengthEncoding, NodeTypeEmbed
    from e3nn.nn import Gate

    model = graph_model.eval()
    type_names = list(model.type_names)
    try:
        species = [int(ase.data.atomic_numbers[name]) for name in type_names]
    except KeyError as error:
        raise UnsupportedModel(f"type names must be chemical symbols, found {type_names}") from error
    r_max = float(model.metadata["r_max"]) if hasattr(model, "metadata") else float(model.r_max)
    func = model.model.func
    modules = dict(func.named_children())
    expected = ["type_embed", "spharm", "edge_norm", "bessel_encode", "factor"]
    if list(modules)[:5] != expected:
        raise UnsupportedModel(f"not a NequIP GNN model (modules {list(modules)[:6]}...)")
    tensors = {}
    embed = modules["type_embed"]
    if not isinstance(embed, NodeTypeEmbed) or getattr(embed, "do_categorical_graph_field_embed", False):
        raise UnsupportedModel("categorical graph-field embeddings are not supported")
    tensors["type_embedding"] = _array(embed.embed_module.weight)
    if getattr(modules["edge_norm"], "_per_edge_type", False):
        raise UnsupportedModel("per-edge-type cutoffs are not supported")
    bessel = modules["bessel_encode"]
    if not isinstance(bessel, BesselEdgeLengthEncoding):
        raise UnsupportedModel("only the Bessel edge-length encoding is supported")
    p = float(bessel.cutoff.p)
    if p != int(p):
        raise UnsupportedModel("non-integer polynomial cutoff exponents are not supported")
    factor = float(modules["factor"].factor)
    # R_n = factor * sin(pi w_n r / r_max) / (pi r / r_max) * f(r / r_max)
    #     = (factor r_max / pi) * sin(W_n r) / r * f,  W_n = pi w_n / r_max
    weights = _array(bessel.bessel_weights).reshape(-1)
    tensors["radial.bessel_weights"] = math.pi * weights / r_max
    sh_irreps = str(modules["spharm"].irreps_edge_sh)
    if not modules["spharm"].sh.normalize or modules["spharm"].sh.normalization != "component":
        raise UnsupportedModel("spherical harmonics must be normalised with component normalisation")

    layers = []
    names = list(modules)
    position = 5
    while position < len(names) and isinstance(modules[names[position]], ConvNetLayer):
        layer = modules[names[position]]
        t = len(layers)
        prefix = f"layers.{t}"
        if not isinstance(layer.equivariant_nonlin, Gate):
            raise UnsupportedModel("only gate non-linearities are supported")
        conv = layer.conv
        if type(conv.tp_scatter).__name__ != "TensorProductScatter":
            raise UnsupportedModel("accelerated tensor products: export the plain e3nn model")
        tp = conv.tp_scatter.tp
        instructions = [[ins.i_in1, ins.i_in2, ins.i_out] for ins in tp.instructions]
        if any(ins.connection_mode != "uvu" or not ins.has_weight for ins in tp.instructions):
            raise UnsupportedModel("unexpected convolution instructions")
        mlp = conv.edge_mlp.mlp
        if type(mlp).__name__ == "DeepLinearMLP" or getattr(conv.edge_mlp, "bias", False):
            raise UnsupportedModel("radial MLPs without non-linearity or with biases are not supported")
        linears = [m for m in mlp if type(m).__name__ == "ScalarLinearLayer"]
        others = [m for m in mlp if type(m).__name__ != "ScalarLinearLayer"]
        if any(not isinstance(m, torch.nn.SiLU) for m in others):
            raise UnsupportedModel("radial MLP activations other than SiLU are not supported")
        for k, linear in enumerate(linears):
            tensors[f"{prefix}.radial_mlp.{k}.weight"] = _array(linear.weight)
        norm = _array(conv.avg_num_neighbors_norm.norm_const).reshape(-1)
        tensors[f"{prefix}.neighbor_norm"] = np.broadcast_to(norm, (len(species),)).copy()
        tensors[f"{prefix}.linear_1.weight"] = _array(conv.linear_1.weight)
        tensors[f"{prefix}.linear_2.weight"] = _array(conv.linear_2.weight)
        if conv.sc is not None:
            tensors[f"{prefix}.self_connection.weight"] = _array(conv.sc.weight)
        gate_in, gate_out = _gate_tensors(layer.equivariant_nonlin, prefix, tensors)
        layers.append({
            "irreps_in": str(conv.linear_1.irreps_in),
            "conv_irreps_mid": str(tp.irreps_out),
            "conv_instructions": instructions,
            "linear_2_irreps_in": str(conv.linear_2.irreps_in),
            "irreps_conv_out": str(conv.linear_2.irreps_out),
            "gate_irreps_in": gate_in,
            "irreps_out": gate_out,
            "self_connection": conv.sc is not None,
            "resnet": bool(layer.resnet),
            "radial_mlp": [int(linears[0].in_features)] + [int(m.out_features) for m in linears],
            "radial_mlp_scales": [float(m.alpha) for m in linears],
        })
        position += 1
    if not layers:
        raise UnsupportedModel("no convolution layers found")
    rest = names[position:]
    pair_potential = None
    if rest == ["per_atom_energy_readout", "per_type_energy_scale_shift", "pair_potential",
                "total_energy_sum"]:
        pair_potential = _pair_potential(modules["pair_potential"], bessel, species, type_names)
    elif rest != ["per_atom_energy_readout", "per_type_energy_scale_shift", "total_energy_sum"]:
        raise UnsupportedModel(f"unsupported modules after the convolutions: {rest}")
    readout = modules["per_atom_energy_readout"].mlp_module
    if readout.bias:
        raise UnsupportedModel("readout biases are not supported")
    readout_mlp = readout.mlp
    if type(readout_mlp).__name__ == "DeepLinearMLP":
        raise UnsupportedModel("linear multi-layer readouts are not supported")
    readout_linears = [m for m in readout_mlp if type(m).__name__ == "ScalarLinearLayer"]
    if any(not isinstance(m, torch.nn.SiLU) for m in readout_mlp if type(m).__name__ != "ScalarLinearLayer"):
        raise UnsupportedModel("readout activations other than SiLU are not supported")
    for k, linear in enumerate(readout_linears):
        tensors[f"readout.{k}.weight"] = _array(linear.weight)
    scale_shift = modules["per_type_energy_scale_shift"]
    n = len(species)
    scales = _array(scale_shift.scales).reshape(-1) if scale_shift.has_scales else np.ones(1)
    shifts = _array(scale_shift.shifts).reshape(-1) if scale_shift.has_shifts else np.zeros(1)
    tensors["energy_scales"] = np.broadcast_to(scales, (n,)).copy()
    tensors["energy_shifts"] = np.broadcast_to(shifts, (n,)).copy()

    config = {
        "species": species,
        "r_max": r_max,
        "units": {"energy": "eV", "length": "Angstrom"},
        "num_bessel": int(weights.shape[0]),
        "polynomial_cutoff_p": int(p),
        "bessel_prefactor": factor * r_max / math.pi,
        "spherical_harmonics_irreps": sh_irreps,
        "type_embedding_dim": int(tensors["type_embedding"].shape[1]),
        "layers": layers,
        "readout_mlp": [int(readout_linears[0].in_features)] + [int(m.out_features) for m in readout_linears],
        "readout_mlp_scales": [float(m.alpha) for m in readout_linears],
    }
    if pair_potential is not None:
        config["pair_repulsion"] = pair_potential
    metadata = {
        "format": FORMAT_NAME,
        "format_version": str(FORMAT_VERSION),
        "architecture": "nequip",
        "config": json.dumps(config),
        "source": json.dumps({"package": "nequip", "version": nequip.__version__,
                              "class": "NequIPGNNModel", "note": source_note}),
    }
    write_safetensors(path, tensors, metadata)
    return config
