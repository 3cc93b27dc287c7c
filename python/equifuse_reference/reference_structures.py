"""The structures every model reference is evaluated on, and the writing of one model's
references (shared by mace_reference.py, nequip_reference.py and shipped_reference.py)."""

import json
import os

import ase
import ase.data
import ase.io
import ase.build
import numpy as np


def structures(rng):
    """Test structures, with elements assigned per model afterwards (slots 0, 1, 2)."""
    out = {}
    bulk = ase.build.bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    bulk.rattle(0.08, seed=1)
    out["fcc_rattled"] = (bulk, [0] * len(bulk))
    tri = ase.build.bulk("Cu", "fcc", a=3.7).repeat((3, 3, 3))
    cell = tri.get_cell().array
    tri.set_cell(cell @ np.array([[1.03, 0.04, 0.0], [0.0, 0.98, 0.05], [0.02, 0.0, 1.01]]),
                 scale_atoms=True)
    tri.rattle(0.1, seed=2)
    out["triclinic_strained"] = (tri, list(rng.integers(0, 3, len(tri))))
    slab = ase.build.fcc111("Cu", size=(2, 2, 3), vacuum=5.0, a=3.6)
    slab.rattle(0.05, seed=3)
    out["slab_pbc_xy"] = (slab, list(rng.integers(0, 3, len(slab))))
    positions = []
    while len(positions) < 9:
        p = rng.uniform(0.0, 5.5, 3)
        if all(np.linalg.norm(p - q) > 2.0 for q in positions):
            positions.append(p)
    cluster = ase.Atoms("Cu9", positions=positions, pbc=False)
    out["cluster"] = (cluster, list(rng.integers(0, 3, len(cluster))))
    out["isolated_atom"] = (ase.Atoms("Cu", positions=[[0.1, 0.2, 0.3]], pbc=False), [1])
    small = ase.build.bulk("Cu", "fcc", a=3.6)  # 1 atom, many periodic images within r_max
    out["primitive_cell"] = (small, [0])
    return out


def foundation_structures(rng):
    """structures(rng), a molecule without a cell and a close contact (0.6 Angstrom, inside the
    range of ZBL repulsion): what the foundation-model references are evaluated on."""
    slots = structures(rng)
    molecule = ase.build.molecule("CH3CH2OH")
    molecule.rattle(0.05, seed=4)
    slot_of = {"C": 0, "O": 1, "H": 2}
    slots["molecule"] = (molecule, [slot_of[s] for s in molecule.get_chemical_symbols()])
    contact = ase.Atoms("Cu4", positions=[[0.0, 0.0, 0.0], [0.6, 0.05, -0.03],
                                          [0.2, 1.4, 0.1], [-1.1, 0.3, 1.2]], pbc=False)
    slots["close_contact"] = (contact, [0, 1, 2, 0])
    return slots


def write_references(outdir, name, slots, species, evaluate, model_info, structure_prefix=None):
    """Writes OUTDIR/structures/PREFIX-<structure>.extxyz for every structure of `slots` (with the
    elements species[slot % len(species)], atomic numbers or symbols; PREFIX is NAME unless given)
    and OUTDIR/NAME.json with evaluate(atoms) per structure, evaluated on the atoms read back from
    the written file so that both sides of a test see identical positions."""
    numbers = [ase.data.atomic_numbers[s] if isinstance(s, str) else int(s) for s in species]
    results = {"model": model_info, "structures": {}}
    for structure_name, (atoms, slot) in slots.items():
        atoms = atoms.copy()
        atoms.set_atomic_numbers([numbers[s % len(numbers)] for s in slot])
        path = os.path.join(outdir, "structures",
                            f"{structure_prefix or name}-{structure_name}.extxyz")
        ase.io.write(path, atoms, format="extxyz")
        atoms = ase.io.read(path, format="extxyz")
        results["structures"][structure_name] = evaluate(atoms)
        results["structures"][structure_name]["file"] = os.path.basename(path)
    with open(os.path.join(outdir, f"{name}.json"), "w") as stream:
        json.dump(results, stream, indent=1)
    print(f"{name}: {len(slots)} structures")
