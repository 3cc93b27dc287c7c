#!/usr/bin/env python3
"""Writes NequIP reference data that the C++ model tests compare against.

    nequip_reference.py OUTDIR [--seed N] [--foundation]

Runs nequip (upstream, eager mode) in float64. OUTDIR receives, like mace_reference.py:
structures/<model>-<structure>.extxyz, <model>.eqf (exported with python/equifuse_export),
<model>.json (energy, per-atom energies, forces, virial, stress) and versions.json.
--foundation writes the NequIP-OAM-shaped models instead (89 elements, ZBL; channels scaled
down; the foundation structures: a molecule and a close contact too) for
tests/data/models/foundation. Exit status 77: nequip is not importable.
"""

import argparse
import json
import os
import sys

try:
    import numpy as np
    import torch
    import ase
    import ase.io
    import e3nn
    import nequip
    from nequip.data import AtomicDataDict, from_ase, compute_neighborlist_
    from nequip.data.misc import chemical_symbols_to_atomic_numbers_dict
    from nequip.model import FullNequIPGNNModel, NequIPGNNModel
    from nequip.utils.global_state import set_global_state
except ImportError as error:  # pragma: no cover - environment dependent
    print(f"SKIPPED: cannot import nequip ({error})")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from equifuse_export.nequip_export import export_nequip  # noqa: E402
from equifuse_reference.reference_structures import (  # noqa: E402
    foundation_structures, structures, write_references)

MODELS = {
    "nequip_l1_parity_resnet": dict(
        type_names=["Cu", "Au"], r_max=4.5, num_layers=2, l_max=1, parity=True, num_features=8,
        radial_mlp_depth=2, radial_mlp_width=16, avg_num_neighbors=12.0, convnet_resnet=True,
        per_type_energy_scales={"Cu": 1.3, "Au": 0.7}, per_type_energy_shifts={"Cu": -3.5, "Au": -2.0}),
    "nequip_l2_three_species": dict(
        type_names=["H", "O", "Cu"], r_max=4.0, num_layers=3, l_max=2, parity=False,
        num_features=[6, 4, 3], radial_mlp_depth=1, radial_mlp_width=8,
        avg_num_neighbors={"H": 6.0, "O": 8.0, "Cu": 12.0}, readout_mlp_hidden_layers_depth=1,
        readout_mlp_hidden_layers_width=8, polynomial_cutoff_p=5, num_bessels=6,
        per_type_energy_scales={"H": 0.5, "O": 1.5, "Cu": 1.0},
        per_type_energy_shifts={"H": -1.0, "O": -2.0, "Cu": -3.0}),
    "nequip_one_species_sc": dict(
        type_names=["Ni"], r_max=3.8, num_layers=2, l_max=1, parity=False, num_features=5,
        radial_mlp_depth=1, radial_mlp_width=8, avg_num_neighbors=11.0, convnet_resnet=False,
        per_type_energy_scales={"Ni": 2.0}, per_type_energy_shifts={"Ni": -4.0},
        type_embed_num_features=7),
}


# The 89 elements of the OAM models (Z 1-83, 89-94), in nequip's type order.
OAM_TYPES = [s for s, z in sorted(chemical_symbols_to_atomic_numbers_dict.items(),
                                  key=lambda item: item[1]) if 1 <= z <= 83 or 89 <= z <= 94]
ZBL = {"_target_": "nequip.nn.pair_potential.ZBL", "units": "metal", "chemical_species": OAM_TYPES}
# NequIP-OAM-L 0.1 (and NequIP-MP-L): 6 layers, l_max 3 with parity, scalar last layer, type
# embedding 48, trainable Bessel 8, p 5, global avg_num_neighbors, ZBL; OAM-XL: l_max 4 without
# parity, type embedding 32. Channels and MLP widths scaled down.
FOUNDATION_MODELS = {
    "nequip_oam_l": dict(
        builder="full", type_names=OAM_TYPES, r_max=6.0, irreps_edge_sh="1x0e+1x1o+1x2e+1x3o",
        type_embed_num_features=12, feature_irreps_hidden=["8x0e+4x1o+2x2e+2x3o"] * 5 + ["8x0e"],
        radial_mlp_depth=[1] * 6, radial_mlp_width=[8] * 6, num_bessels=8, bessel_trainable=True,
        polynomial_cutoff_p=5, avg_num_neighbors=62.012104256525795, pair_potential=ZBL,
        per_type_energy_shifts={t: -1.0 - 0.01 * i for i, t in enumerate(OAM_TYPES)},
        per_type_energy_scales={t: 0.5 + 0.01 * i for i, t in enumerate(OAM_TYPES)},
        structure_elements=["Cu", "O", "H"]),
    "nequip_oam_xl": dict(
        type_names=OAM_TYPES, r_max=6.0, l_max=4, parity=False, num_layers=6,
        num_features=[8, 4, 2, 2, 2], type_embed_num_features=8, radial_mlp_depth=1,
        radial_mlp_width=8, num_bessels=8, bessel_trainable=True, polynomial_cutoff_p=5,
        avg_num_neighbors=62.012104256525795, pair_potential=ZBL,
        per_type_energy_shifts={t: -2.0 + 0.01 * i for i, t in enumerate(OAM_TYPES)},
        per_type_energy_scales={t: 1.0 + 0.005 * i for i, t in enumerate(OAM_TYPES)},
        structure_elements=["Fe", "O", "H"]),
}


def build_model(spec, seed):
    torch.manual_seed(seed)
    spec = {k: v for k, v in spec.items() if k not in ("builder", "structure_elements")}
    builder = FullNequIPGNNModel if "feature_irreps_hidden" in spec else NequIPGNNModel
    model = builder(seed=seed, model_dtype="float64", **spec)
    with torch.no_grad():  # perturb every parameter so each one matters
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.add_(0.2 * torch.randn_like(parameter))
    return model.eval()


def evaluate(model, atoms, spec):
    data = from_ase(atoms)
    data = compute_neighborlist_(data, r_max=spec["r_max"])
    types = [spec["type_names"].index(s) for s in atoms.get_chemical_symbols()]
    data[AtomicDataDict.ATOM_TYPE_KEY] = torch.tensor(types, dtype=torch.long)
    data = AtomicDataDict.with_batch_(data)
    out = model(data)
    result = {
        "energy": float(out[AtomicDataDict.TOTAL_ENERGY_KEY].reshape(-1)[0]),
        "node_energies": out[AtomicDataDict.PER_ATOM_ENERGY_KEY].detach().reshape(-1).numpy().tolist(),
        "forces": out[AtomicDataDict.FORCE_KEY].detach().numpy().tolist(),
        "num_edges": int(data[AtomicDataDict.EDGE_INDEX_KEY].shape[1]),
    }
    if all(atoms.pbc):
        result["virial"] = out[AtomicDataDict.VIRIAL_KEY].detach().reshape(3, 3).numpy().tolist()
        result["stress"] = out[AtomicDataDict.STRESS_KEY].detach().reshape(3, 3).numpy().tolist()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--foundation", action="store_true")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    set_global_state()
    os.makedirs(os.path.join(args.outdir, "structures"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    slots = foundation_structures(rng) if args.foundation else structures(rng)
    for index, (name, spec) in enumerate((FOUNDATION_MODELS if args.foundation else MODELS).items()):
        model = build_model(spec, args.seed + index)
        export_nequip(model, os.path.join(args.outdir, f"{name}.eqf"),
                      source_note="randomly initialised by nequip_reference.py")
        info = {k: v for k, v in spec.items() if k not in ("type_names", "per_type_energy_shifts",
                                                          "per_type_energy_scales")}
        if args.foundation:
            info["num_types"] = len(spec["type_names"])
        else:
            info = dict(spec)
        write_references(args.outdir, name, slots, spec.get("structure_elements", spec["type_names"]),
                         lambda atoms: evaluate(model, atoms, spec), info)
    versions = "versions-nequip.json" if args.foundation else "versions.json"
    with open(os.path.join(args.outdir, versions), "w") as stream:
        json.dump({"torch": torch.__version__, "e3nn": e3nn.__version__,
                   "nequip": nequip.__version__, "ase": ase.__version__}, stream, indent=1)


if __name__ == "__main__":
    main()
