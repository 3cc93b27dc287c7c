#!/usr/bin/env python3
"""Test-set errors of a shipped potential, for the upstream model and for its equifuse export, against
the EMT labels (REF_energy, REF_forces) of generate_emt_data.py's test split; also the largest
difference between the two (the export check).

    validate_potential.py mace|nequip UPSTREAM_MODEL POTENTIAL.eqf TEST.extxyz EQUIFUSE_BINARY

Run with the Python that trained the model. Prints a Markdown table row set.
"""

import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

import ase.io  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402


def upstream_mace(model_path):
    from mace.calculators import MACECalculator
    calc = MACECalculator(model_paths=model_path, device="cpu", default_dtype="float64")

    def run(atoms):
        atoms = atoms.copy()
        atoms.calc = calc
        return atoms.get_potential_energy(), atoms.get_forces()
    return run


def upstream_nequip(model_path):
    from nequip.data import AtomicDataDict, compute_neighborlist_, from_ase
    from nequip.model.saved_models.load_utils import load_saved_model
    from nequip.utils.global_state import set_global_state
    torch.set_default_dtype(torch.float64)
    set_global_state()
    model = load_saved_model(model_path, compile_mode="eager").double().eval()
    r_max = float(model.metadata["r_max"]) if hasattr(model, "metadata") else 4.5

    def run(atoms):
        atoms = atoms.copy()
        atoms.calc = None
        data = compute_neighborlist_(from_ase(atoms), r_max=r_max)
        data[AtomicDataDict.ATOM_TYPE_KEY] = torch.tensor([model.type_names.index(s) for s in atoms.get_chemical_symbols()])
        out = model(AtomicDataDict.with_batch_(data))
        return float(out[AtomicDataDict.TOTAL_ENERGY_KEY].reshape(-1)[0]), out[AtomicDataDict.FORCE_KEY].detach().numpy()
    return run


def main():
    family, upstream_path, eqf, test, binary = sys.argv[1:6]
    frames = ase.io.read(test, index=":", format="extxyz")
    run = upstream_mace(upstream_path) if family == "mace" else upstream_nequip(upstream_path)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "eval.extxyz")
        subprocess.run([binary, "eval", eqf, test, "--quiet", "--output", out], check=True, capture_output=True)
        ours = ase.io.read(out, index=":", format="extxyz")
    ref_e, ref_f, up_e, up_f, eq_e, eq_f, diff_e, diff_f = [], [], [], [], [], [], [], []
    for frame, mine in zip(frames, ours):
        n = len(frame)
        energy, forces = run(frame)
        # ASE turns the energy= and forces columns of our output into a single-point calculator
        e_ours = mine.get_potential_energy() if mine.calc is not None else mine.info["energy"]
        f_ours = mine.get_forces() if mine.calc is not None else mine.arrays["forces"]
        ref_e.append(frame.info["REF_energy"] / n)
        up_e.append(energy / n)
        eq_e.append(e_ours / n)
        ref_f.append(frame.arrays["REF_forces"])
        up_f.append(forces)
        eq_f.append(f_ours)
        diff_e.append(abs(energy - e_ours) / max(1.0, abs(energy)))
        diff_f.append(np.abs(forces - f_ours).max())
    rmse = lambda a, b: float(np.sqrt(np.mean((np.concatenate([np.ravel(x) for x in a]) - np.concatenate([np.ravel(x) for x in b])) ** 2)))
    print(f"| {family} upstream | {1000 * rmse(up_e, ref_e):.2f} | {1000 * rmse(up_f, ref_f):.1f} |")
    print(f"| {family} equifuse (`equifuse eval`) | {1000 * rmse(eq_e, ref_e):.2f} | {1000 * rmse(eq_f, ref_f):.1f} |")
    print(f"largest |upstream - equifuse|: energy {max(diff_e):.2e} (relative), force {max(diff_f):.2e} eV/A "
          f"over {len(frames)} test structures")


if __name__ == "__main__":
    main()
