"""Writes an equifuse potential file from a mace-torch model (MACE or ScaleShiftMACE).

Supported (tested with mace-torch 0.3.16, e3nn 0.4.4; docs/foundation-models.md): the interaction
blocks RealAgnostic(Residual)InteractionBlock, RealAgnosticDensity(Residual)InteractionBlock and
RealAgnosticResidualNonLinearInteractionBlock; separate edge irreps (use_edge_irreps_first);
Bessel, Gaussian and Chebyshev radial bases; the Agnesi and Soft distance transforms; the cutoff
on the basis or on the MLP outputs (apply_cutoff); ZBL pair repulsion; species-agnostic products;
symmetric contractions of any correlation order and either coupling basis (use_reduced_cg);
linear and non-linear (SiLU) readouts, every layer's or the last one's only; any number of heads;
e3nn Linear biases; MACE-OMOL's categorical joint embedding of total charge and spin. Models
mace-torch converted to cuEquivariance or OpenEquivariance layers are converted back to e3nn
first (mace.cli.convert_cueq_e3nn / convert_oeq_e3nn). Anything else is refused with a message
naming it.

Every value is read from the model object. The symmetric contractions' coupling matrices U
(MACE's generalised Clebsch-Gordan bases) are exported with the weights, as sparse tensors, and
the gate's and the pair repulsion's bookkeeping is checked numerically against the modules
themselves before writing.
"""

import copy
import json

import numpy as np
import torch

from . import FORMAT_NAME, FORMAT_VERSION
from .safetensors_writer import write_safetensors


class UnsupportedModel(ValueError):
    pass


# Gate activation codes of the potential format (models/layers/gate.hpp).
_SILU, _TANH, _SIGMOID = 0, 1, 2


def _array(tensor):
    return tensor.detach().cpu().to(torch.float64).numpy()


def _scalar(tensor):
    return float(tensor.detach().cpu().to(torch.float64).reshape(-1)[0])


def _activation_scale(normalized, what):
    """e3nn's normalize2mom(silu): the constant that gives the activation unit second moment."""
    function = getattr(normalized, "f", None)
    if function is not torch.nn.functional.silu:
        raise UnsupportedModel(f"{what}: only SiLU activations are supported, found {function}")
    return 1.0 if getattr(normalized, "_is_id", False) else float(normalized.cst)


def _linear(linear, name, tensors):
    """An e3nn o3.Linear: its flat weight and, where it has them, its biases."""
    if type(linear).__module__.startswith("cuequivariance"):
        raise UnsupportedModel(f"{name}: cuEquivariance layer left after conversion")
    tensors[f"{name}.weight"] = _array(linear.weight)
    bias = getattr(linear, "bias", None)
    if bias is not None and bias.numel() > 0:
        tensors[f"{name}.bias"] = _array(bias)


def _sparse_coupling(u_matrix, irrep_dim):
    """U of shape [M?, i, ..., i, K] (M absent for scalar outputs) -> (indices [nnz, nu+2], values)."""
    u = _array(u_matrix)
    if irrep_dim == 1 and u.ndim >= 2 and u.shape[0] != 1:
        u = u[None]
    indices = np.argwhere(u != 0.0).astype(np.int32)
    return indices, u[tuple(indices.T)]


def _uses_accelerated_layers(model):
    """'cueq' or 'oeq' where mace-torch replaced e3nn layers, else None."""
    for module in model.modules():
        owner = type(module).__module__
        if owner.startswith("cuequivariance"):
            return "cueq"
        if owner.startswith("openequivariance"):
            return "oeq"
    for block in model.interactions:
        for attribute, kind in (("cueq_config", "cueq"), ("oeq_config", "oeq")):
            config = getattr(block, attribute, None)
            if config is not None and getattr(config, "enabled", False):
                return kind
    return None


def to_e3nn(model):
    """The model with e3nn layers: cuEquivariance/OpenEquivariance models are converted back with
    mace-torch's own converters (exact: the state dict is remapped, not refitted)."""
    kind = _uses_accelerated_layers(model)
    if kind is None:
        return model
    if kind == "cueq":
        from mace.cli.convert_cueq_e3nn import run as convert
    else:
        from mace.cli.convert_oeq_e3nn import run as convert
    dtype = next(model.parameters()).dtype
    previous = torch.get_default_dtype()
    try:
        converted = convert(model, device="cpu", return_model=True)
    finally:
        torch.set_default_dtype(previous)
    if not isinstance(converted, torch.nn.Module):
        raise UnsupportedModel(f"mace-torch could not convert the {kind} model to e3nn: {converted}")
    # The converters copy avg_num_neighbors for the first layers only.
    for source, target in zip(model.interactions, converted.interactions):
        target.avg_num_neighbors = source.avg_num_neighbors
    if _uses_accelerated_layers(converted) is not None:
        raise UnsupportedModel(f"the {kind} model still has accelerated layers after conversion")
    return converted.to(dtype).eval()


def _species_numbers(model):
    return [int(z) for z in model.atomic_numbers.tolist()]


def _covalent_radii(table, species, what):
    radii = _array(table)
    if radii.ndim != 1 or max(species) >= radii.shape[0]:
        raise UnsupportedModel(f"{what}: covalent radii table does not cover the elements")
    return radii[species].copy()


def _radial(model, species, tensors):
    from mace.modules import radial

    embedding = model.radial_embedding
    basis = embedding.bessel_fn
    cutoff = embedding.cutoff_fn
    r_max = float(model.r_max)
    if abs(_scalar(cutoff.r_max) - r_max) > 1e-12:
        raise UnsupportedModel("the cutoff's r_max differs from the model's r_max")
    p = _scalar(cutoff.p)
    if p != int(p):
        raise UnsupportedModel(f"non-integer polynomial cutoff exponent {p}")
    config = {"polynomial_cutoff_p": int(p), "apply_cutoff": bool(getattr(embedding, "apply_cutoff", True))}
    if isinstance(basis, radial.BesselBasis):
        if abs(_scalar(basis.r_max) - r_max) > 1e-12:
            raise UnsupportedModel("the Bessel basis's r_max differs from the model's r_max")
        tensors["radial.bessel_weights"] = _array(basis.bessel_weights).reshape(-1)
        config.update(basis="bessel", num_basis=int(basis.bessel_weights.numel()),
                      prefactor=_scalar(basis.prefactor))
    elif isinstance(basis, radial.GaussianBasis):
        tensors["radial.gaussian_means"] = _array(basis.gaussian_weights).reshape(-1)
        config.update(basis="gaussian", num_basis=int(basis.gaussian_weights.numel()),
                      prefactor=float(basis.coeff))
    elif type(basis).__name__ == "ChebychevBasis":
        orders = _array(basis.n).reshape(-1)
        if not np.array_equal(orders, np.arange(1, orders.size + 1)):
            raise UnsupportedModel("Chebyshev basis orders other than 1..N")
        config.update(basis="chebyshev", num_basis=int(orders.size))
    else:
        raise UnsupportedModel(f"radial basis {type(basis).__name__} is not supported "
                               "(BesselBasis, GaussianBasis, ChebychevBasis)")
    transform = getattr(embedding, "distance_transform", None)
    if transform is not None:
        name = type(transform).__name__
        if name == "AgnesiTransform":
            config["transform"] = {"kind": "agnesi", "q": _scalar(transform.q),
                                   "p": _scalar(transform.p), "a": _scalar(transform.a)}
        elif name == "SoftTransform" and hasattr(transform, "alpha") and not hasattr(transform, "b"):
            config["transform"] = {"kind": "soft", "alpha": _scalar(transform.alpha)}
        else:
            raise UnsupportedModel(f"distance transform {name} is not supported (AgnesiTransform, "
                                   "SoftTransform of mace-torch >= 0.3.11)")
        tensors["radial.covalent_radii"] = _covalent_radii(transform.covalent_radii, species,
                                                           "distance transform")
    return config


def _pair_repulsion(model, species, tensors):
    """mace-torch's ZBLBasis: V_e = K Z_u Z_v / r phi(r / a) f(r / rc), given to the receiver."""
    zbl = model.pair_repulsion_fn
    if type(zbl).__name__ != "ZBLBasis":
        raise UnsupportedModel(f"pair repulsion {type(zbl).__name__} is not supported (ZBLBasis)")
    p = _scalar(zbl.p)
    if p != int(p):
        raise UnsupportedModel(f"non-integer ZBL envelope exponent {p}")
    # ZBLBasis.forward's constants (code, not state): 0.5 * 14.3996 eV A per directed edge, the
    # Bohr radius 0.529 A in the screening length, and the exponents of the four screening terms.
    config = {
        "prefactor": 0.5 * 14.3996,
        "screening_length": _scalar(zbl.a_prefactor) * 0.529,
        "screening_exponent": _scalar(zbl.a_exp),
        "coefficients": [float(c) for c in _array(zbl.c)],
        "exponents": [3.2, 0.9423, 0.4028, 0.2016],
        "polynomial_cutoff_p": int(p),
        "cutoff": "covalent_radii",
    }
    radii = _covalent_radii(zbl.covalent_radii, species, "ZBL")
    tensors["pair_repulsion.covalent_radii"] = radii
    _check_pair_repulsion(model, zbl, config, species, radii)
    return config


def _check_pair_repulsion(model, zbl, config, species, radii):
    """The formula above against ZBLBasis itself, on every pair of species at a few distances."""
    n = len(species)
    pairs = [(u, v) for u in range(n) for v in range(n)][:400]
    lengths, senders, receivers = [], [], []
    node = 0
    for u, v in pairs:
        for fraction in (0.2, 0.6, 0.95):
            lengths.append(fraction * (radii[u] + radii[v]))
            senders.append(node)
            receivers.append(node + 1)
            node += 2
    attrs = torch.zeros(node, n, dtype=torch.float64)
    index = 0
    for u, v in pairs:
        for _ in range(3):
            attrs[index, u] = 1
            attrs[index + 1, v] = 1
            index += 2
    x = torch.tensor(lengths, dtype=torch.float64)[:, None]
    edge_index = torch.tensor([senders, receivers])
    with torch.no_grad():
        expected = _array(copy.deepcopy(zbl).double()(x, attrs, edge_index,
                                                        model.atomic_numbers))[1::2]
    ours = []
    c, d, k = config["coefficients"], config["exponents"], config["prefactor"]
    pe = config["polynomial_cutoff_p"]
    for (u, v), r in zip([pair for pair in pairs for _ in range(3)], lengths):
        zu, zv = species[u], species[v]
        a = config["screening_length"] / (zu ** config["screening_exponent"] +
                                          zv ** config["screening_exponent"])
        phi = sum(ci * np.exp(-di * r / a) for ci, di in zip(c, d))
        s = r / (radii[u] + radii[v])
        envelope = (1 - (pe + 1) * (pe + 2) / 2 * s ** pe + pe * (pe + 2) * s ** (pe + 1)
                    - pe * (pe + 1) / 2 * s ** (pe + 2)) * (s < 1)
        ours.append(k * zu * zv / r * phi * envelope)
    if not np.allclose(ours, expected, rtol=1e-10, atol=0):
        raise UnsupportedModel("the ZBL pair repulsion does not have the expected form")


def _joint_embedding(model, channels, tensors):
    specs = getattr(model, "embedding_specs", None)
    joint = model.joint_embedding
    inputs = []
    for name, spec in specs.items():
        spec = dict(spec) if isinstance(spec, dict) else vars(spec)
        if spec.get("type") != "categorical" or spec.get("per", "graph") != "graph":
            raise UnsupportedModel(f"joint embedding input {name}: only per-graph categorical "
                                   "inputs are supported")
        if name not in ("total_charge", "total_spin"):
            raise UnsupportedModel(f"joint embedding input {name} is not supported "
                                   "(total_charge, total_spin)")
        table = joint.embedders[name]
        if not isinstance(table, torch.nn.Embedding):
            raise UnsupportedModel(f"joint embedding input {name} is not an embedding table")
        tensors[f"joint_embedding.{name}.weight"] = _array(table.weight)
        inputs.append({"name": name, "num_classes": int(table.weight.shape[0]),
                       "offset": int(spec.get("offset", 0)), "dim": int(table.weight.shape[1])})
    project = list(joint.project)
    if (len(project) != 2 or not isinstance(project[0], torch.nn.Linear) or project[0].bias is not None
            or not isinstance(project[1], torch.nn.SiLU)):
        raise UnsupportedModel("joint embedding projection other than Linear (no bias) + SiLU")
    if project[0].weight.shape[0] != channels:
        raise UnsupportedModel("joint embedding width differs from the node embedding")
    tensors["joint_embedding.project.weight"] = _array(project[0].weight)
    if hasattr(model, "embedding_readout"):
        raise UnsupportedModel("use_embedding_readout is not supported")
    return {"inputs": inputs}


def _e3nn_mlp(net, name, tensors, what):
    """e3nn FullyConnectedNet: weights [in, out] per layer; returns (widths, activation scale)."""
    layers = list(net)
    scale = None
    for k, layer in enumerate(layers):
        tensors[f"{name}.{k}.weight"] = _array(layer.weight)
        if layer.act is not None:
            scale = _activation_scale(layer.act, what)
        if layer.var_in != 1.0 or layer.var_out != 1.0:
            raise UnsupportedModel(f"{what}: variances other than 1 are not supported")
    return [int(layer.h_in) for layer in layers] + [int(layers[-1].h_out)], scale


def _layer_norm_mlp(mlp, name, tensors, what):
    """mace-torch's RadialMLP: (Linear -> LayerNorm -> SiLU)* -> Linear. Returns (widths, eps)."""
    modules = list(mlp.net) if hasattr(mlp, "net") else list(mlp)
    widths, eps, k, position = [], None, 0, 0
    while position < len(modules):
        linear = modules[position]
        if not isinstance(linear, torch.nn.Linear) or linear.bias is None:
            raise UnsupportedModel(f"{what}: expected a Linear layer with bias")
        if not widths:
            widths.append(int(linear.in_features))
        widths.append(int(linear.out_features))
        tensors[f"{name}.{k}.weight"] = _array(linear.weight)
        tensors[f"{name}.{k}.bias"] = _array(linear.bias)
        position += 1
        if position < len(modules):
            norm, act = modules[position], modules[position + 1]
            if not isinstance(norm, torch.nn.LayerNorm) or not isinstance(act, torch.nn.SiLU):
                raise UnsupportedModel(f"{what}: expected LayerNorm and SiLU after each hidden layer")
            if not norm.elementwise_affine or eps not in (None, norm.eps):
                raise UnsupportedModel(f"{what}: LayerNorms without affine or different eps")
            eps = norm.eps
            tensors[f"{name}.{k}.norm.weight"] = _array(norm.weight)
            tensors[f"{name}.{k}.norm.bias"] = _array(norm.bias)
            position += 2
        k += 1
    return widths, (1e-5 if eps is None else float(eps))


def _gate_function(module, kind):
    """(activation, scale) of mace's GatedEquivariantBlock or e3nn's nn.Gate."""
    if hasattr(module, "_act_scalar"):
        act = module._act_scalar if kind == "scalars" else module._act_gate
        scale = module._scalar_cst if kind == "scalars" else module._gate_cst
        return act, float(scale)
    activation = module.act_scalars if kind == "scalars" else module.act_gates
    acts = list(activation.acts)
    if len(acts) != 1 or acts[0] is None:
        raise UnsupportedModel(f"gate: one {kind} activation expected")
    normalized = acts[0]
    return normalized.f, 1.0 if getattr(normalized, "_is_id", False) else float(normalized.cst)


def _gate_code(function, what):
    codes = ((torch.nn.functional.silu, _SILU), (torch.tanh, _TANH),
             (torch.nn.functional.tanh, _TANH), (torch.sigmoid, _SIGMOID),
             (torch.nn.functional.sigmoid, _SIGMOID))
    for known, code in codes:
        if function is known:
            return code
    raise UnsupportedModel(f"{what}: gate activation {function} is not supported (SiLU, tanh, sigmoid)")


def _gate(gate, prefix, tensors):
    """Index maps of a gate: out = [act(x[scalar_index]), x[gated_index] * act(x[gate_index])[gated_gate]].
    The input is e3nn's sorted (scalars, gates, gated); checked numerically against the module."""
    from e3nn import o3

    scalars, gates, gated = (o3.Irreps(gate.irreps_scalars), o3.Irreps(gate.irreps_gates),
                             o3.Irreps(gate.irreps_gated))
    unsorted = scalars + gates + gated
    sorted_irreps, permutation, _ = unsorted.sort()
    # Offsets of each unsorted group inside the sorted input.
    offsets, offset = {}, 0
    for sorted_position, mul_ir in enumerate(sorted_irreps):
        offsets[int(permutation[sorted_position])] = offset
        offset += mul_ir.dim
    groups = list(unsorted)
    n_scalars, n_gates = len(scalars), len(gates)
    scalar_index = [offsets[g] + i for g in range(n_scalars) for i in range(groups[g].dim)]
    gate_index = [offsets[n_scalars + g] + i for g in range(n_gates) for i in range(groups[n_scalars + g].dim)]
    gated_index, gated_gate, gate_copy = [], [], 0
    for g in range(len(gated)):
        mul, ir = groups[n_scalars + n_gates + g]
        start = offsets[n_scalars + n_gates + g]
        for u in range(mul):
            gated_index += [start + u * ir.dim + m for m in range(ir.dim)]
            gated_gate += [gate_copy] * ir.dim
            gate_copy += 1
    s_act, s_scale = _gate_function(gate, "scalars")
    scalar_code = _gate_code(s_act, prefix)
    gate_code, g_scale = _SIGMOID, 1.0
    if gate_index:
        g_act, g_scale = _gate_function(gate, "gates")
        gate_code = _gate_code(g_act, prefix)
    tensors[f"{prefix}.gate.scalar_index"] = np.asarray(scalar_index, dtype=np.int32)
    tensors[f"{prefix}.gate.scalar_activation"] = np.full(len(scalar_index), scalar_code, np.int32)
    tensors[f"{prefix}.gate.scalar_scale"] = np.full(len(scalar_index), s_scale)
    tensors[f"{prefix}.gate.gate_index"] = np.asarray(gate_index, dtype=np.int32)
    tensors[f"{prefix}.gate.gate_activation"] = np.full(len(gate_index), gate_code, np.int32)
    tensors[f"{prefix}.gate.gate_scale"] = np.full(len(gate_index), g_scale)
    tensors[f"{prefix}.gate.gated_index"] = np.asarray(gated_index, dtype=np.int32)
    tensors[f"{prefix}.gate.gated_gate"] = np.asarray(gated_gate, dtype=np.int32)
    # The bookkeeping against the module itself.
    functions = {_SILU: lambda z: z / (1 + np.exp(-z)), _TANH: np.tanh,
                 _SIGMOID: lambda z: 1 / (1 + np.exp(-z))}
    x = torch.randn(3, sorted_irreps.dim, dtype=torch.float64)
    with torch.no_grad():
        expected = _array(copy.deepcopy(gate).double()(x))
    xn = x.numpy()
    ours = s_scale * functions[scalar_code](xn[:, scalar_index])
    if gate_index:
        g = g_scale * functions[gate_code](xn[:, gate_index])
        ours = np.concatenate([ours, xn[:, gated_index] * g[:, gated_gate]], axis=1)
    if ours.shape != expected.shape or not np.allclose(ours, expected, rtol=1e-12, atol=1e-12):
        raise UnsupportedModel(f"{prefix}: the gate does not have the expected structure")
    return str(sorted_irreps.simplify())


_INTERACTION_KINDS = {
    "RealAgnosticInteractionBlock": "plain",
    "RealAgnosticResidualInteractionBlock": "residual",
    "RealAgnosticDensityInteractionBlock": "density",
    "RealAgnosticDensityResidualInteractionBlock": "density_residual",
    "RealAgnosticResidualNonLinearInteractionBlock": "nonlinear_residual",
}


def _interaction(block, t, tensors, radial_scales):
    name = type(block).__name__
    if name not in _INTERACTION_KINDS:
        raise UnsupportedModel(f"interaction block {name} is not supported "
                               f"(supported: {', '.join(_INTERACTION_KINDS)})")
    kind = _INTERACTION_KINDS[name]
    if hasattr(block, "conv_fusion") and block.conv_fusion:
        raise UnsupportedModel("fused convolutions left after conversion to e3nn")
    prefix = f"interactions.{t}"
    _linear(block.linear_up, f"{prefix}.linear_up", tensors)
    config = {
        "kind": kind,
        "node_feats_irreps": str(block.node_feats_irreps),
        # Older pickles have no edge_irreps attribute: linear_up's output is the edge irreps.
        "edge_irreps": str(block.linear_up.irreps_out),
        "edge_attrs_irreps": str(block.edge_attrs_irreps),
        "conv_irreps_out": str(block.conv_tp.irreps_out),
    }
    if kind == "nonlinear_residual":
        embedding = block.source_embedding.irreps_out
        config["species_embedding_dim"] = int(embedding.dim)
        _linear(block.source_embedding, f"{prefix}.source_embedding", tensors)
        _linear(block.target_embedding, f"{prefix}.target_embedding", tensors)
        config["radial_mlp"], eps = _layer_norm_mlp(block.conv_tp_weights, f"{prefix}.radial_mlp",
                                                    tensors, f"{prefix} radial MLP")
        config["density_mlp"], density_eps = _layer_norm_mlp(
            block.density_fn, f"{prefix}.density_mlp", tensors, f"{prefix} density MLP")
        if density_eps != eps:
            raise UnsupportedModel(f"{prefix}: the two MLPs' LayerNorms differ in eps")
        config["layer_norm_eps"] = eps
        tensors[f"{prefix}.alpha"] = _array(block.alpha).reshape(1)
        tensors[f"{prefix}.beta"] = _array(block.beta).reshape(1)
        _linear(block.linear_res, f"{prefix}.linear_res", tensors)
        _linear(block.linear_1, f"{prefix}.linear_1", tensors)
        _linear(block.linear_2, f"{prefix}.linear_2", tensors)
        _linear(block.skip_tp, f"{prefix}.skip_tp", tensors)
        config["irreps_nonlin"] = _gate(block.equivariant_nonlin, prefix, tensors)
        config["target_irreps"] = str(block.linear_2.irreps_out)
        config["skip_irreps_in"] = str(block.skip_tp.irreps_in)
        config["skip_irreps_out"] = str(block.skip_tp.irreps_out)
        if str(block.linear_1.irreps_out) != config["irreps_nonlin"]:
            raise UnsupportedModel(f"{prefix}: linear_1 does not feed the gate")
        return config
    config["radial_mlp"], scale = _e3nn_mlp(block.conv_tp_weights, f"{prefix}.radial_mlp", tensors,
                                            f"{prefix} radial MLP")
    if scale is not None:
        radial_scales.append(scale)
    _linear(block.linear, f"{prefix}.linear", tensors)
    tensors[f"{prefix}.skip_tp.weight"] = _array(block.skip_tp.weight)
    config["target_irreps"] = str(block.linear.irreps_out)
    config["skip_irreps_in"] = str(block.skip_tp.irreps_in1)
    config["skip_irreps_out"] = str(block.skip_tp.irreps_out)
    if kind in ("plain", "residual"):
        config["avg_num_neighbors"] = float(block.avg_num_neighbors)
    else:
        config["density_mlp"], _ = _e3nn_mlp(block.density_fn, f"{prefix}.density_mlp", tensors,
                                             f"{prefix} density MLP")
    return config


def _product(product, t, tensors):
    prefix = f"products.{t}"
    module = product.symmetric_contractions
    if not hasattr(module, "contractions"):
        raise UnsupportedModel("symmetric contractions that are not e3nn's left after conversion")
    agnostic = bool(getattr(product, "use_agnostic_product", False))
    contractions = []
    for o, (contraction, (_, irrep)) in enumerate(zip(module.contractions, module.irreps_out)):
        correlation = int(contraction.correlation)
        lower = list(contraction.weights)
        for nu in range(1, correlation + 1):
            weight = contraction.weights_max if nu == correlation else lower[correlation - 1 - nu]
            if agnostic and weight.shape[0] != 1:
                raise UnsupportedModel(f"{prefix}: agnostic product with per-species weights")
            tensors[f"{prefix}.contractions.{o}.weights.{nu}"] = _array(weight)
            indices, values = _sparse_coupling(contraction.U_tensors(nu), irrep.dim)
            tensors[f"{prefix}.contractions.{o}.coupling.{nu}.indices"] = indices
            tensors[f"{prefix}.contractions.{o}.coupling.{nu}.values"] = values
        contractions.append({"irrep": str(irrep), "correlation": correlation})
    _linear(product.linear, f"{prefix}.linear", tensors)
    return {
        "irreps_in": str(module.irreps_in),
        "irreps_out": str(module.irreps_out),
        "contractions": contractions,
        "use_skip_connection": bool(product.use_sc),
        "agnostic": agnostic,
    }


def _readout(readout, t, layer, num_heads, tensors):
    from mace.modules import blocks

    prefix = f"readouts.{t}"
    if type(readout) is blocks.NonLinearReadoutBlock:
        _linear(readout.linear_1, f"{prefix}.linear_1", tensors)
        _linear(readout.linear_2, f"{prefix}.linear_2", tensors)
        activations = list(readout.non_linearity.acts)
        if len(activations) != 1 or activations[0] is None:
            raise UnsupportedModel(f"{prefix}: one scalar activation expected")
        return {"kind": "nonlinear", "layer": layer, "irreps_in": str(readout.linear_1.irreps_in),
                "hidden_irreps": str(readout.linear_1.irreps_out),
                "activation_scale": _activation_scale(activations[0], prefix),
                # Pickles older than multi-head masking have no num_heads: no mask.
                "head_mask": num_heads > 1 and int(getattr(readout, "num_heads", 1)) > 1}
    if type(readout) is blocks.LinearReadoutBlock:
        _linear(readout.linear, f"{prefix}.linear", tensors)
        return {"kind": "linear", "layer": layer, "irreps_in": str(readout.linear.irreps_in)}
    raise UnsupportedModel(f"readout {type(readout).__name__} is not supported "
                           "(LinearReadoutBlock, NonLinearReadoutBlock)")


def select_head(config, tensors, head):
    """Keeps one head of a multi-head export (as mace-torch's mace_select_head does): its E0s,
    scale and shift, its readout columns; the non-linear readouts' second layer rescaled so that
    e3nn's normalisation over the remaining hidden units gives the same energies."""
    heads = config["heads"]
    if head not in heads:
        raise UnsupportedModel(f"the model has no head {head!r} (its heads: {', '.join(heads)})")
    h, num_heads = heads.index(head), len(heads)
    if num_heads == 1:
        return
    config["heads"] = [head]
    config["scale"] = [config["scale"][h]]
    config["shift"] = [config["shift"][h]]
    tensors["atomic_energies"] = tensors["atomic_energies"][h:h + 1].copy()
    for t, readout in enumerate(config["readouts"]):
        prefix = f"readouts.{t}"
        if readout["kind"] == "linear":
            w = tensors[f"{prefix}.linear.weight"].reshape(-1, num_heads)
            tensors[f"{prefix}.linear.weight"] = w[:, h].copy()
            if f"{prefix}.linear.bias" in tensors:
                tensors[f"{prefix}.linear.bias"] = tensors[f"{prefix}.linear.bias"][h:h + 1].copy()
            continue
        from e3nn import o3

        hidden = o3.Irreps(readout["hidden_irreps"]).dim
        per_head = hidden // num_heads
        units = (np.arange(h * per_head, (h + 1) * per_head) if readout["head_mask"]
                 else np.arange(hidden))
        w1 = tensors[f"{prefix}.linear_1.weight"].reshape(-1, hidden)
        tensors[f"{prefix}.linear_1.weight"] = w1[:, units].reshape(-1).copy()
        if f"{prefix}.linear_1.bias" in tensors:
            tensors[f"{prefix}.linear_1.bias"] = tensors[f"{prefix}.linear_1.bias"][units].copy()
        w2 = tensors[f"{prefix}.linear_2.weight"].reshape(hidden, num_heads)
        tensors[f"{prefix}.linear_2.weight"] = (w2[units, h] * np.sqrt(units.size / hidden)).copy()
        if f"{prefix}.linear_2.bias" in tensors:
            tensors[f"{prefix}.linear_2.bias"] = tensors[f"{prefix}.linear_2.bias"][h:h + 1].copy()
        readout["hidden_irreps"] = f"{units.size}x0e"
        readout["head_mask"] = False


def export_mace(model, path, source_note="", head=None):
    """Writes `model` (a mace.modules.MACE or ScaleShiftMACE) to `path`, every head or only `head`.
    Returns the config dict."""
    import mace

    model = to_e3nn(model.eval())
    cls = type(model).__name__
    if cls not in ("MACE", "ScaleShiftMACE"):
        raise UnsupportedModel(f"model class {cls} is not supported (MACE, ScaleShiftMACE)")
    if getattr(model, "use_so3", False):
        raise UnsupportedModel("use_so3 models are not supported")
    sh = model.spherical_harmonics
    if not sh.normalize or sh.normalization != "component":
        raise UnsupportedModel("spherical harmonics must be normalised with component normalisation")
    heads = [str(h) for h in getattr(model, "heads", None) or ["Default"]]
    species = _species_numbers(model)
    tensors = {}
    radial = _radial(model, species, tensors)

    node_linear = model.node_embedding.linear
    _linear(node_linear, "embedding", tensors)
    if "embedding.bias" in tensors:
        raise UnsupportedModel("a node embedding with biases is not supported")
    energies = np.atleast_2d(_array(model.atomic_energies_fn.atomic_energies))
    if energies.shape != (len(heads), len(species)):
        raise UnsupportedModel(f"atomic energies of shape {energies.shape} for {len(heads)} heads "
                               f"and {len(species)} elements")
    tensors["atomic_energies"] = energies.copy()

    interactions, radial_scales = [], []
    for t, block in enumerate(model.interactions):
        interactions.append(_interaction(block, t, tensors, radial_scales))
    if any(abs(s - radial_scales[0]) > 1e-15 for s in radial_scales):
        raise UnsupportedModel("radial MLPs with different activations")
    products = [_product(product, t, tensors) for t, product in enumerate(model.products)]
    num_layers = len(interactions)
    readout_modules = list(model.readouts)
    if len(readout_modules) == num_layers:
        layers = list(range(num_layers))
    elif len(readout_modules) == 1:  # use_last_readout_only
        layers = [num_layers - 1]
    else:
        raise UnsupportedModel(f"{len(readout_modules)} readouts for {num_layers} layers")
    readouts = [_readout(r, t, layer, len(heads), tensors)
                for t, (r, layer) in enumerate(zip(readout_modules, layers))]

    scale, shift = [1.0] * len(heads), [0.0] * len(heads)
    if cls == "ScaleShiftMACE":
        scale = np.broadcast_to(np.atleast_1d(_array(model.scale_shift.scale)), (len(heads),)).tolist()
        shift = np.broadcast_to(np.atleast_1d(_array(model.scale_shift.shift)), (len(heads),)).tolist()

    config = {
        "species": species,
        "r_max": float(model.r_max),
        "units": {"energy": "eV", "length": "Angstrom"},
        "radial": radial,
        "spherical_harmonics_irreps": str(sh.irreps_out),
        "radial_activation_scale": radial_scales[0] if radial_scales else 1.0,
        "interactions": interactions,
        "products": products,
        "readouts": readouts,
        "heads": heads,
        "scale": [float(s) for s in scale],
        "shift": [float(s) for s in shift],
    }
    if hasattr(model, "pair_repulsion"):  # as mace-torch's forward decides
        config["pair_repulsion"] = _pair_repulsion(model, species, tensors)
    if hasattr(model, "joint_embedding"):
        channels = o3_dim(interactions[0]["node_feats_irreps"])
        config["joint_embedding"] = _joint_embedding(model, channels, tensors)
    if head is not None:
        select_head(config, tensors, head)
    metadata = {
        "format": FORMAT_NAME,
        "format_version": str(FORMAT_VERSION),
        "architecture": "mace",
        "config": json.dumps(config),
        "source": json.dumps({"package": "mace-torch", "version": mace.__version__,
                              "class": cls, "note": source_note}),
    }
    write_safetensors(path, tensors, metadata)
    return config


def o3_dim(irreps):
    from e3nn import o3

    return o3.Irreps(irreps).dim
