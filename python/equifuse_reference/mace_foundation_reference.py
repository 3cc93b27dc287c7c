#!/usr/bin/env python3
"""Writes the references of the public MACE foundation-model architectures.

    mace_foundation_reference.py OUTDIR [--seed N]

For every architecture below (docs/foundation-models.md): a randomly initialised mace-torch model
with exactly the options of the public checkpoint (interaction blocks, ZBL, distance transform,
radial basis, cutoff placement, edge irreps, agnostic product, heads, joint embedding, element
count) and fewer channels, exported with python/equifuse_export, and mace-torch's energy,
per-atom energies, forces, virial, stress and per-atom virials on the reference structures plus
a molecule without a cell and a close contact (0.6 Angstrom, inside ZBL's range), for every head
(OUTDIR/<model>.json for the first head, <model>@<head>.json for the others). Where
cuequivariance is importable, one model is also exported after mace-torch's conversion to
cuEquivariance layers (the exporter converts it back). Runs in float64. Exit status 77:
mace-torch is not importable.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")  # e3nn 0.4.4 constants on torch>=2.6

try:
    import numpy as np
    import torch
    import ase
    import e3nn
    from e3nn import o3
    import mace
    from mace import data as mace_data
    from mace import modules
    from mace.tools import torch_geometric, utils as mace_utils
except ImportError as error:  # pragma: no cover - environment dependent
    print(f"SKIPPED: cannot import mace-torch ({error})")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from equifuse_export.mace_export import export_mace  # noqa: E402
from equifuse_reference.reference_structures import foundation_structures, write_references  # noqa: E402,E501

# The 89 elements of MACE-MP, MPA, OMAT and MH: Z 1-83 and 89-94.
MP_ELEMENTS = list(range(1, 84)) + list(range(89, 95))
OFF_ELEMENTS = [1, 6, 7, 8, 9, 15, 16, 17, 35, 53]
MH1_HEADS = ["matpes_r2scan", "mp_pbe_refit_add", "spice_wB97M", "oc20_usemppbe", "omol",
             "omat_pbe"]
I = modules.interaction_classes
RESIDUAL = "RealAgnosticResidualInteractionBlock"
PLAIN = "RealAgnosticInteractionBlock"
DENSITY = "RealAgnosticDensityInteractionBlock"
DENSITY_RESIDUAL = "RealAgnosticDensityResidualInteractionBlock"
NONLINEAR = "RealAgnosticResidualNonLinearInteractionBlock"

# Options as the public checkpoints have them; channels (hidden, edge, MLP widths) scaled down.
# "structure_elements": the elements the reference structures use (slots 0, 1, 2).
MODELS = {
    # MACE-MP-0a medium (2023-12-03): Residual blocks, no ZBL, Bessel 10, r_max 6.
    "mp0a_medium": dict(cls="ScaleShiftMACE", species=MP_ELEMENTS, first=RESIDUAL,
                        later=RESIDUAL, hidden="8x0e+8x1o", num_bessel=10,
                        structure_elements=[29, 8, 1]),
    # MACE-MP-0b (mace_agnesi_*): `--model MACE`, plain first block, ZBL, Agnesi, Bessel 8.
    "mp0b_medium": dict(cls="MACE", species=MP_ELEMENTS, first=PLAIN, later=RESIDUAL,
                        hidden="8x0e+8x1o", num_bessel=8, pair_repulsion=True,
                        distance_transform="Agnesi", structure_elements=[29, 8, 1]),
    # MACE-MP-0b3, MPA-0 (head "default"), OMAT-0 and MatPES (fine-tunes of OMAT-0 medium):
    # Density then DensityResidual blocks, ZBL, Agnesi, Bessel 10, r_max 6.
    "mpa0_medium": dict(cls="ScaleShiftMACE", species=MP_ELEMENTS, first=DENSITY,
                        later=DENSITY_RESIDUAL, hidden="8x0e+8x1o", num_bessel=10,
                        pair_repulsion=True, distance_transform="Agnesi", heads=["default"],
                        structure_elements=[29, 8, 1]),
    "omat0_small": dict(cls="ScaleShiftMACE", species=MP_ELEMENTS, first=DENSITY,
                        later=DENSITY_RESIDUAL, hidden="8x0e", num_bessel=10,
                        pair_repulsion=True, distance_transform="Agnesi",
                        structure_elements=[26, 8, 1]),
    # MACE-MH-1: non-linear blocks, edge irreps (first layer too), agnostic product, cutoff on
    # the MLP outputs, ZBL, Agnesi, six heads.
    "mh1": dict(cls="ScaleShiftMACE", species=MP_ELEMENTS, first=NONLINEAR, later=NONLINEAR,
                hidden="8x0e+8x1o", edge_irreps="4x0e+4x1o", use_edge_irreps_first=True,
                use_agnostic_product=True, apply_cutoff=False, num_bessel=10,
                pair_repulsion=True, distance_transform="Agnesi", heads=MH1_HEADS,
                mlp_irreps="4x0e", structure_elements=[29, 8, 1]),
    # MACE-OFF23 small (96x0e, r_max 4.5) and large (L=2): plain first block, 10 elements.
    "off23_small": dict(cls="ScaleShiftMACE", species=OFF_ELEMENTS, first=PLAIN, later=RESIDUAL,
                        hidden="8x0e", r_max=4.5, num_bessel=8, shift=0.0,
                        structure_elements=[6, 8, 1]),
    "off23_large": dict(cls="ScaleShiftMACE", species=OFF_ELEMENTS, first=PLAIN, later=RESIDUAL,
                        hidden="4x0e+4x1o+4x2e", r_max=5.0, num_bessel=8, shift=0.0,
                        structure_elements=[6, 8, 1]),
    # MACE-OMOL-0: three non-linear layers, correlation 2, L=2 edge irreps (not in the first
    # layer), cutoff on the MLP outputs, joint embedding of total spin and charge.
    "omol": dict(cls="ScaleShiftMACE", species=MP_ELEMENTS, first=NONLINEAR, later=NONLINEAR,
                 num_interactions=3, correlation=2, hidden="8x0e+8x1o+8x2e",
                 edge_irreps="4x0e+4x1o+4x2e", apply_cutoff=False, num_bessel=8,
                 heads=["omol"], joint_embedding=True, shift=0.0,
                 structure_elements=[6, 8, 1], charge_spin=[(0, 1), (1, 2), (-1, 2)]),
    # Options no public checkpoint uses, each once: Gaussian basis, Soft transform, the last
    # readout only; Chebyshev basis with the MACE class; the reduced coupling basis.
    "gaussian_soft_last_readout": dict(cls="ScaleShiftMACE", species=[1, 8, 29], first=RESIDUAL,
                                       later=RESIDUAL, hidden="6x0e+6x1o", num_bessel=8,
                                       radial_type="gaussian", distance_transform="Soft",
                                       use_last_readout_only=True,
                                       structure_elements=[29, 8, 1]),
    # torch.special.chebyshev_polynomial_t has no autograd: mace-torch's forces and virials of
    # this basis leave out the basis's dependence on r (they are not -dE/dr). Only its energies
    # are references; ModelPhysicsTest checks equifuse's forces against finite differences.
    # T_n of the raw length grows as (2r)^n: few orders and a short cutoff keep it finite.
    "chebyshev_plain": dict(cls="MACE", species=[1, 8, 29], first=PLAIN, later=RESIDUAL,
                            hidden="6x0e+6x1o", num_bessel=3, radial_type="chebyshev",
                            r_max=3.0, structure_elements=[29, 8, 1],
                            upstream_forces_not_gradients=True),
    "reduced_cg": dict(cls="ScaleShiftMACE", species=[1, 8, 29], first=DENSITY,
                       later=DENSITY_RESIDUAL, hidden="6x0e+6x1o", num_bessel=8,
                       use_reduced_cg=True, pair_repulsion=True, needs_cueq=True,
                       structure_elements=[29, 8, 1]),
}
# Exported after mace-torch's conversion to cuEquivariance (and back by the exporter).
CUEQ_ROUND_TRIP = "mpa0_medium"


def cueq_available():
    try:
        import cuequivariance_torch  # noqa: F401
        return True
    except ImportError:
        return False


def build_model(spec, seed):
    torch.manual_seed(seed)
    species = spec["species"]
    n = len(species)
    heads = spec.get("heads", ["Default"])
    h = len(heads)
    rng = np.random.default_rng(seed)
    energies = -rng.uniform(1.0, 5.0, size=(h, n))
    kwargs = dict(
        r_max=spec.get("r_max", 6.0), num_bessel=spec["num_bessel"], num_polynomial_cutoff=5,
        max_ell=3, interaction_cls=I[spec["later"]], interaction_cls_first=I[spec["first"]],
        num_interactions=spec.get("num_interactions", 2), num_elements=n,
        hidden_irreps=o3.Irreps(spec["hidden"]), MLP_irreps=o3.Irreps(spec.get("mlp_irreps", "8x0e")),
        atomic_energies=energies if h > 1 else energies[0], avg_num_neighbors=float(rng.uniform(8, 40)),
        atomic_numbers=species, correlation=spec.get("correlation", 3),
        gate=torch.nn.functional.silu, radial_MLP=[16, 16, 16], heads=heads,
        pair_repulsion=spec.get("pair_repulsion", False),
        distance_transform=spec.get("distance_transform", "None"),
        radial_type=spec.get("radial_type", "bessel"),
        apply_cutoff=spec.get("apply_cutoff", True),
        use_reduced_cg=spec.get("use_reduced_cg", False),
        use_agnostic_product=spec.get("use_agnostic_product", False),
        use_last_readout_only=spec.get("use_last_readout_only", False),
        use_edge_irreps_first=spec.get("use_edge_irreps_first", False))
    if "edge_irreps" in spec:
        kwargs["edge_irreps"] = o3.Irreps(spec["edge_irreps"])
    if spec.get("joint_embedding"):
        c = o3.Irreps(spec["hidden"]).count(o3.Irrep("0e"))
        kwargs["embedding_specs"] = {
            "total_spin": {"type": "categorical", "per": "graph", "in_dim": 1, "emb_dim": c,
                           "num_classes": 101, "offset": 0},
            "total_charge": {"type": "categorical", "per": "graph", "in_dim": 1, "emb_dim": c,
                             "num_classes": 201, "offset": 100},
        }
    if spec["cls"] == "ScaleShiftMACE":
        scale = rng.uniform(0.5, 2.0, size=h) if h > 1 else float(rng.uniform(0.5, 2.0))
        shift = spec.get("shift", rng.uniform(-0.5, 0.5, size=h) if h > 1 else -0.3)
        model = modules.ScaleShiftMACE(atomic_inter_scale=scale, atomic_inter_shift=shift, **kwargs)
    else:
        model = modules.MACE(**kwargs)
    # Random inits leave some weights tiny (the species embeddings of the non-linear blocks
    # start at 1e-3); perturb every parameter so that each one matters.
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.add_(0.2 * torch.randn_like(parameter))
    # As mace-torch's calculator evaluates (and MACE-OMOL's joint embedding needs: it adds to the
    # node embedding in place): gradients of the positions only.
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model.eval()


def evaluate(model, atoms, spec, head_index, charge_spin):
    z_table = mace_utils.AtomicNumberTable(spec["species"])
    config = mace_data.config_from_atoms(atoms)
    item = mace_data.AtomicData.from_config(config, z_table=z_table, cutoff=spec.get("r_max", 6.0),
                                            heads=spec.get("heads", ["Default"]))
    loader = torch_geometric.dataloader.DataLoader([item], batch_size=1, shuffle=False)
    batch = next(iter(loader)).to_dict()
    batch["head"] = torch.tensor([head_index], dtype=torch.long)
    batch["total_charge"] = torch.tensor([float(charge_spin[0])])
    batch["total_spin"] = torch.tensor([float(charge_spin[1])])
    periodic = bool(np.any(atoms.pbc))
    output = model(batch, training=False, compute_force=True, compute_virials=True,
                   compute_stress=periodic, compute_edge_forces=True,
                   compute_atomic_stresses=True)
    result = {
        "energy": float(output["energy"][0]),
        "node_energies": output["node_energy"].detach().numpy().tolist(),
        "forces": output["forces"].detach().numpy().tolist(),
        "virial": output["virials"][0].detach().numpy().tolist(),
        "num_edges": int(batch["edge_index"].shape[1]),
        "total_charge": charge_spin[0],
        "total_spin": charge_spin[1],
    }
    if output.get("atomic_virials") is not None:
        result["atomic_virials"] = output["atomic_virials"].detach().numpy().tolist()
    if periodic and all(atoms.pbc):
        result["stress"] = output["stress"][0].detach().numpy().tolist()
    return result


def write_model(outdir, name, model, spec, slots, exported=None):
    info = {k: v for k, v in spec.items() if k != "species"}
    info["num_species"] = len(spec["species"])
    export_mace(exported or model, os.path.join(outdir, f"{name}.eqf"),
                source_note="randomly initialised by mace_foundation_reference.py")
    heads = spec.get("heads", ["Default"])
    settings = spec.get("charge_spin", [(0, 1)])
    for h, head in enumerate(heads):
        for k, charge_spin in enumerate(settings):
            suffix = ("" if h == 0 else f"@{head}") + ("" if k == 0 else f"%{k}")
            write_references(outdir, name + suffix, slots, spec["structure_elements"],
                             lambda atoms: evaluate(model, atoms, spec, h, charge_spin),
                             dict(info, head=head, charge_spin=list(charge_spin)),
                             structure_prefix=name)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", nargs="*", help="write these models only")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    os.makedirs(os.path.join(args.outdir, "structures"), exist_ok=True)
    cueq = cueq_available()
    for index, (name, spec) in enumerate(MODELS.items()):
        if args.only and name not in args.only:
            continue
        if spec.get("needs_cueq") and not cueq:
            print(f"{name}: skipped (the reduced coupling basis needs cuequivariance)")
            continue
        slots = foundation_structures(np.random.default_rng(args.seed))
        model = build_model(spec, args.seed + index)
        exported = None
        if name == CUEQ_ROUND_TRIP and cueq:
            from mace.cli.convert_e3nn_cueq import run as to_cueq

            exported = to_cueq(model, device="cpu")
            torch.set_default_dtype(torch.float64)
            print(f"{name}: exported from its cuEquivariance conversion")
        write_model(args.outdir, name, model, spec, slots, exported)
    with open(os.path.join(args.outdir, "versions-mace.json"), "w") as stream:
        versions = {"torch": torch.__version__, "e3nn": e3nn.__version__,
                    "mace-torch": mace.__version__, "ase": ase.__version__}
        if cueq:
            import cuequivariance

            versions["cuequivariance"] = cuequivariance.__version__
        json.dump(versions, stream, indent=1)


if __name__ == "__main__":
    main()
