#!/usr/bin/env python3
"""Writes MACE reference data that the C++ model tests compare against.

    mace_reference.py OUTDIR [--seed N]

Runs mace-torch (upstream) in float64. OUTDIR receives:
  structures/<name>.extxyz   test structures (periodic, triclinic, slab, cluster, isolated atom)
  <model>.eqf                randomly initialised models covering the hyperparameter space,
                             exported with python/equifuse_export
  <model>.json               mace-torch's energy, per-atom energies, forces, virial, stress and
                             per-atom virials of that model on every structure
  versions.json              the package versions that wrote the data
The positions the references use are those read back from the written .extxyz files, so that
both sides see identical numbers. Exit status 77: mace-torch is not importable.
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
    import ase.io
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
from equifuse_reference.reference_structures import structures, write_references  # noqa: E402

# Randomly initialised models: several L, correlation orders, channel counts, species, depths,
# first-layer interaction kinds, linear and non-linear readouts, MACE and ScaleShiftMACE.
MODELS = {
    "mace_l1_corr3_two_layers": dict(
        cls="ScaleShiftMACE", species=[13, 29], hidden="8x0e+8x1o", max_ell=3, correlation=3,
        num_interactions=2, first="RealAgnosticResidualInteractionBlock", r_max=4.5,
        num_bessel=8, p=5, radial_mlp=[16, 16, 16], mlp_irreps="16x0e", avg=12.0),
    "mace_scalar_corr2_one_layer": dict(
        cls="MACE", species=[1, 8, 29], hidden="6x0e", max_ell=2, correlation=2,
        num_interactions=1, first="RealAgnosticInteractionBlock", r_max=4.0,
        num_bessel=6, p=6, radial_mlp=[8, 8], mlp_irreps="8x0e", avg=8.0),
    "mace_l2_mixed_corr_plain_first": dict(
        cls="ScaleShiftMACE", species=[29, 13], hidden="4x0e+4x1o+4x2e", max_ell=2,
        correlation=[2, 3], num_interactions=2, first="RealAgnosticInteractionBlock", r_max=4.2,
        num_bessel=5, p=5, radial_mlp=[8, 8, 8], mlp_irreps="8x0e", avg=10.0),
    "mace_three_layers_corr1": dict(
        cls="ScaleShiftMACE", species=[28], hidden="6x0e+6x1o", max_ell=1, correlation=1,
        num_interactions=3, first="RealAgnosticResidualInteractionBlock", r_max=3.8,
        num_bessel=4, p=6, radial_mlp=[8], mlp_irreps="4x0e", avg=11.0),
}


def build_model(spec, seed):
    torch.manual_seed(seed)
    n = len(spec["species"])
    kwargs = dict(
        r_max=spec["r_max"], num_bessel=spec["num_bessel"], num_polynomial_cutoff=spec["p"],
        max_ell=spec["max_ell"],
        interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        interaction_cls_first=modules.interaction_classes[spec["first"]],
        num_interactions=spec["num_interactions"], num_elements=n,
        hidden_irreps=o3.Irreps(spec["hidden"]), MLP_irreps=o3.Irreps(spec["mlp_irreps"]),
        atomic_energies=np.linspace(-3.0, -1.0, n), avg_num_neighbors=spec["avg"],
        atomic_numbers=spec["species"], correlation=spec["correlation"],
        gate=torch.nn.functional.silu, radial_MLP=spec["radial_mlp"])
    if spec["cls"] == "ScaleShiftMACE":
        model = modules.ScaleShiftMACE(atomic_inter_scale=1.7, atomic_inter_shift=-0.3, **kwargs)
    else:
        model = modules.MACE(**kwargs)
    # Random inits leave some weights tiny; perturb every parameter so each one matters.
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.add_(0.2 * torch.randn_like(parameter))
    return model.eval()


def evaluate(model, atoms, r_max, species):
    z_table = mace_utils.AtomicNumberTable(species)
    config = mace_data.config_from_atoms(atoms)
    item = mace_data.AtomicData.from_config(config, z_table=z_table, cutoff=r_max)
    loader = torch_geometric.dataloader.DataLoader([item], batch_size=1, shuffle=False)
    batch = next(iter(loader)).to_dict()
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
    }
    if output.get("atomic_virials") is not None:
        result["atomic_virials"] = output["atomic_virials"].detach().numpy().tolist()
    if periodic and all(atoms.pbc):
        result["stress"] = output["stress"][0].detach().numpy().tolist()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    os.makedirs(os.path.join(args.outdir, "structures"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    slots = structures(rng)
    for index, (name, spec) in enumerate(MODELS.items()):
        model = build_model(spec, args.seed + index)
        export_mace(model, os.path.join(args.outdir, f"{name}.eqf"),
                    source_note="randomly initialised by mace_reference.py")
        write_references(args.outdir, name, slots, spec["species"],
                         lambda atoms: evaluate(model, atoms, spec["r_max"], spec["species"]), spec)
    with open(os.path.join(args.outdir, "versions.json"), "w") as stream:
        json.dump({"torch": torch.__version__, "e3nn": e3nn.__version__,
                   "mace-torch": mace.__version__, "ase": ase.__version__}, stream, indent=1)


if __name__ == "__main__":
    main()
