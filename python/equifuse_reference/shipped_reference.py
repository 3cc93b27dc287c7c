#!/usr/bin/env python3
"""Upstream references for a shipped potential (potentials/*.eqf), in the format of
mace_reference.py / nequip_reference.py, so that the C++ tests compare the shipped file with the
upstream model it was exported from.

    shipped_reference.py mace|nequip UPSTREAM_MODEL NAME OUTDIR

UPSTREAM_MODEL: the mace-torch .model file or the nequip checkpoint the potential was exported
from (potentials/scripts/train_*.sh). Writes OUTDIR/NAME.json and OUTDIR/structures/NAME-*.extxyz
(the shared test structures, as Cu and Au).
"""

import os
import sys

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from equifuse_reference.reference_structures import structures, write_references  # noqa: E402


def main():
    family, model_path, name, outdir = sys.argv[1:5]
    torch.set_default_dtype(torch.float64)
    os.makedirs(os.path.join(outdir, "structures"), exist_ok=True)
    if family == "mace":
        from equifuse_reference import mace_reference as ref
        model = torch.load(model_path, map_location="cpu", weights_only=False).double().eval()
        species = [int(z) for z in model.atomic_numbers.tolist()]
        r_max = float(model.r_max)
        evaluate = lambda atoms: ref.evaluate(model, atoms, r_max, species)  # noqa: E731
        symbols = species
    else:
        from equifuse_reference import nequip_reference as ref
        from nequip.model.saved_models.load_utils import load_saved_model
        from nequip.utils.global_state import set_global_state
        set_global_state()
        model = load_saved_model(model_path, compile_mode="eager").double().eval()
        symbols = list(model.type_names)
        spec = {"type_names": symbols, "r_max": float(model.metadata["r_max"])}
        evaluate = lambda atoms: ref.evaluate(model, atoms, spec)  # noqa: E731
    write_references(outdir, name, structures(np.random.default_rng(7)), symbols, evaluate,
                     {"upstream": os.path.basename(model_path), "family": family})


if __name__ == "__main__":
    main()
