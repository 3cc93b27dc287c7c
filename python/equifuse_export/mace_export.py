"""Writes an equifuse potential file from a mace-torch model (MACE or ScaleShiftMACE).

Supported (tested with mace-torch 0.3.16, e3nn 0.4.4): e3nn (not cuEquivariance) models with
RealAgnosticInteractionBlock / RealAgnosticResidualInteractionBlock interactions, Bessel radial
basis with polynomial cutoff, symmetric contractions of any correlation order, linear and
non-linear (SiLU) readouts, one head. Anything else is refused with a message naming it.

The symmetric contractions' coupling matrices U (MACE's generalised Clebsch-Gordan bases, which
depend on MACE's numerical construction) are exported with the weights, as sparse tensors.
"""

import json

import numpy as np
import torch

from . import FORMAT_NAME, FORMAT_VERSION
from .safetensors_writer import write_safetensors


class UnsupportedModel(ValueError):
    pass


def _array(tensor):
    return tensor.detach().cpu().to(torch.float64).numpy()


def _activation_scale(normalized, what):
    """e3nn's normalize2mom(silu): the constant that gives the activation unit second moment."""
    function = getattr(normalized, "f", None)
    if function is not torch.nn.functional.silu:
        raise UnsupportedModel(f"{what}: only SiLU activations are supported, found {function}")
    return 1.0 if getattr(normalized, "_is_id", False) else float(normalized.cst)


def _linear_irreps(linear):
    return str(linear.irreps_in), str(linear.irreps_out)


def _check_linear(linear, what):
    if getattr(linear, "bias", None) is not None and linear.bias.numel() > 0:
        raise UnsupportedModel(f"{what}: linear layers with biases are not supported")


def _sparse_coupling(u_matrix, irrep_dim):
    """U of shape [M?, i, ..., i, K] (M absent for scalar outputs) -> (indices [nnz, nu+2], values)."""
    u = _array(u_matrix)
    if irrep_dim == 1 and u.ndim >= 2 and u.shape[0] != 1:
        u = u[None]
    indices = np.argwhere(u != 0.0).astype(np.int32)
    return indices, u[tuple(indices.T)]


def _interaction_kind(block):
    name = type(block).__name__
    kinds = {"RealAgnosticInteractionBlock": "plain",
             "RealAgnosticResidualInteractionBlock": "residual"}
    if name not in kinds:
        raise UnsupportedModel(f"interaction block {name} is not supported "
                               f"(supported: {', '.join(kinds)})")
    if hasattr(block, "conv_fusion"):
        raise UnsupportedModel("models with fused (cuEquivariance/OpenEquivariance) convolutions: "
                               "convert the model back to e3nn first")
    return kinds[name]


def export_mace(model, path, source_note=""):
    """Writes `model` (a mace.modules.MACE or ScaleShiftMACE) to `path`. Returns the config dict."""
    import mace  # noqa: F401  (only to report its version)
    from mace.modules import blocks, radial

    model = model.eval()
    cls = type(model).__name__
    if cls not in ("MACE", "ScaleShiftMACE"):
        raise UnsupportedModel(f"model class {cls} is not supported (MACE, ScaleShiftMACE)")
    heads = list(getattr(model, "heads", ["Default"]))
    if len(heads) != 1:
        raise UnsupportedModel(f"multi-head models are not supported yet (heads: {heads})")
    for attribute, what in (("pair_repulsion", "ZBL pair repulsion"),
                            ("joint_embedding", "joint embeddings")):
        if hasattr(model, attribute):
            raise UnsupportedModel(f"{what} is not supported")
    embedding = model.radial_embedding
    if not isinstance(embedding.bessel_fn, radial.BesselBasis):
        raise UnsupportedModel(f"radial basis {type(embedding.bessel_fn).__name__} is not "
                               "supported (BesselBasis)")
    if hasattr(embedding, "distance_transform"):
        raise UnsupportedModel("distance transforms are not supported")
    if not getattr(embedding, "apply_cutoff", True):
        raise UnsupportedModel("apply_cutoff=False is not supported")

    tensors = {}
    species = [int(z) for z in model.atomic_numbers.tolist()]
    r_max = float(model.r_max)
    node_linear = model.node_embedding.linear
    _check_linear(node_linear, "node embedding")
    tensors["embedding.weight"] = _array(node_linear.weight)
    energies = _array(model.atomic_energies_fn.atomic_energies).reshape(len(species), -1)
    tensors["atomic_energies"] = energies[:, 0].copy()
    tensors["radial.bessel_weights"] = _array(embedding.bessel_fn.bessel_weights)
    if abs(float(embedding.cutoff_fn.r_max) - r_max) > 1e-12:
        raise UnsupportedModel("cutoff r_max differs from the model's r_max")

    interactions = []
    radial_scale = None
    for t, block in enumerate(model.interactions):
        kind = _interaction_kind(block)
        prefix = f"interactions.{t}"
        for name in ("linear_up", "linear"):
            _check_linear(getattr(block, name), f"{prefix}.{name}")
        mlp_layers = list(block.conv_tp_weights)
        for k, layer in enumerate(mlp_layers):
            tensors[f"{prefix}.radial_mlp.{k}.weight"] = _array(layer.weight)
            if layer.act is not None:
                scale = _activation_scale(layer.act, f"{prefix} radial MLP")
                if radial_scale is not None and abs(scale - radial_scale) > 1e-15:
                    raise UnsupportedModel("radial MLPs with different activations")
                radial_scale = scale
            if abs(layer.var_in - 1.0) > 0 or abs(layer.var_out - 1.0) > 0:
                raise UnsupportedModel("radial MLP variances other than 1 are not supported")
        tensors[f"{prefix}.linear_up.weight"] = _array(block.linear_up.weight)
        tensors[f"{prefix}.linear.weight"] = _array(block.linear.weight)
        tensors[f"{prefix}.skip_tp.weight"] = _array(block.skip_tp.weight)
        interactions.append({
            "kind": kind,
            "node_feats_irreps": str(block.node_feats_irreps),
            "edge_irreps": str(block.linear_up.irreps_out),
            "edge_attrs_irreps": str(block.edge_attrs_irreps),
            "conv_irreps_out": str(block.conv_tp.irreps_out),
            "target_irreps": str(block.linear.irreps_out),
            "skip_irreps_in": str(block.skip_tp.irreps_in1),
            "skip_irreps_out": str(block.skip_tp.irreps_out),
            "radial_mlp": [int(layer.h_in) for layer in mlp_layers] + [int(mlp_layers[-1].h_out)],
            "avg_num_neighbors": float(block.avg_num_neighbors),
        })

    products = []
    for t, product in enumerate(model.products):
        prefix = f"products.{t}"
        if getattr(product, "use_agnostic_product", False):
            raise UnsupportedModel("use_agnostic_product is not supported")
        contraction_module = product.symmetric_contractions
        if not hasattr(contraction_module, "contractions"):
            raise UnsupportedModel("cuEquivariance symmetric contractions: convert the model back "
                                   "to e3nn first")
        contractions = []
        for o, (contraction, (_, irrep)) in enumerate(
                zip(contraction_module.contractions, contraction_module.irreps_out)):
            correlation = int(contraction.correlation)
            lower = list(contraction.weights)
            for nu in range(1, correlation + 1):
                weight = contraction.weights_max if nu == correlation else lower[correlation - 1 - nu]
                tensors[f"{prefix}.contractions.{o}.weights.{nu}"] = _array(weight)
                indices, values = _sparse_coupling(contraction.U_tensors(nu), irrep.dim)
                tensors[f"{prefix}.contractions.{o}.coupling.{nu}.indices"] = indices
                tensors[f"{prefix}.contractions.{o}.coupling.{nu}.values"] = values
            contractions.append({"irrep": str(irrep), "correlation": correlation})
        _check_linear(product.linear, f"{prefix}.linear")
        tensors[f"{prefix}.linear.weight"] = _array(product.linear.weight)
        products.append({
            "irreps_in": str(contraction_module.irreps_in),
            "irreps_out": str(contraction_module.irreps_out),
            "contractions": contractions,
            "use_skip_connection": bool(product.use_sc),
        })

    readouts = []
    for t, readout in enumerate(model.readouts):
        prefix = f"readouts.{t}"
        if isinstance(readout, blocks.NonLinearReadoutBlock) and type(readout) is blocks.NonLinearReadoutBlock:
            _check_linear(readout.linear_1, prefix)
            _check_linear(readout.linear_2, prefix)
            tensors[f"{prefix}.linear_1.weight"] = _array(readout.linear_1.weight)
            tensors[f"{prefix}.linear_2.weight"] = _array(readout.linear_2.weight)
            activations = list(readout.non_linearity.acts)
            if len(activations) != 1 or activations[0] is None:
                raise UnsupportedModel(f"{prefix}: one scalar activation expected")
            readouts.append({"kind": "nonlinear", "irreps_in": str(readout.linear_1.irreps_in),
                             "hidden_irreps": str(readout.linear_1.irreps_out),
                             "activation_scale": _activation_scale(activations[0], prefix)})
        elif type(readout) is blocks.LinearReadoutBlock:
            _check_linear(readout.linear, prefix)
            tensors[f"{prefix}.linear.weight"] = _array(readout.linear.weight)
            readouts.append({"kind": "linear", "irreps_in": str(readout.linear.irreps_in)})
        else:
            raise UnsupportedModel(f"readout {type(readout).__name__} is not supported")
    if len(readouts) != len(interactions):
        raise UnsupportedModel("use_last_readout_only models are not supported")

    scale, shift = 1.0, 0.0
    if cls == "ScaleShiftMACE":
        scale = float(torch.atleast_1d(model.scale_shift.scale)[0])
        shift = float(torch.atleast_1d(model.scale_shift.shift)[0])

    sh = model.spherical_harmonics
    config = {
        "species": species,
        "r_max": r_max,
        "units": {"energy": "eV", "length": "Angstrom"},
        "num_bessel": int(tensors["radial.bessel_weights"].shape[0]),
        "polynomial_cutoff_p": int(embedding.cutoff_fn.p),
        "bessel_prefactor": float(embedding.bessel_fn.prefactor),
        "spherical_harmonics_irreps": str(sh.irreps_out),
        "radial_activation_scale": radial_scale if radial_scale is not None else 1.0,
        "interactions": interactions,
        "products": products,
        "readouts": readouts,
        "scale": scale,
        "shift": shift,
    }
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
