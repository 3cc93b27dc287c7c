"""Reference labels of a data file (any format ASE reads; extended XYZ in practice): energy,
forces and stress per frame, under the keys given or the first of the common conventions the
file has. ASE's extended XYZ reader moves the plain keys (energy, forces, stress) into a
single-point calculator; they are looked up there too."""

import dataclasses
from typing import List, Optional

import numpy as np

# Looked up in this order when no key is given: REF_* (what mace-torch and nequip train from and
# potentials/scripts writes), the plain names, then other common spellings.
DEFAULT_KEYS = {
    "energy": ("REF_energy", "energy", "DFT_energy", "dft_energy", "total_energy", "Energy"),
    "forces": ("REF_forces", "forces", "DFT_forces", "dft_forces", "force", "Forces"),
    "stress": ("REF_stress", "stress", "DFT_stress", "dft_stress", "Stress"),
}
# What ASE's reader may put into a calculator's results per frame (the rest is per atom).
_PER_FRAME_RESULTS = ("energy", "free_energy", "stress", "dipole", "magmom", "virial")
OPTIONS = {"energy": "--energy-key", "forces": "--forces-key", "stress": "--stress-key"}


class LabelError(ValueError):
    """A data file whose labels cannot be used: named with the keys the file has."""


@dataclasses.dataclass
class Frame:
    atoms: object  # ase.Atoms, without calculator
    energy: Optional[float]  # eV (total)
    forces: Optional[np.ndarray]  # [n, 3] eV/A
    stress: Optional[np.ndarray]  # [3, 3] eV/A^3, ASE's sign; fully periodic frames only


@dataclasses.dataclass
class LabelledData:
    path: str
    frames: List[Frame]
    keys: dict  # quantity -> key used (None where the file has none)


def _lookup(atoms, key, per_atom):
    store = atoms.arrays if per_atom else atoms.info
    if key in store:
        return store[key]
    results = getattr(atoms.calc, "results", None) or {}
    return results.get(key)


def file_keys(images):
    """The keys of a data file, by where they are: per frame (info) and per atom (arrays)."""
    info, arrays = set(), set()
    for atoms in images:
        info.update(atoms.info)
        arrays.update(k for k in atoms.arrays if k not in ("numbers", "positions"))
        for k in getattr(atoms.calc, "results", None) or {}:
            (info if k in _PER_FRAME_RESULTS else arrays).add(k)
    return sorted(info), sorted(arrays)


def describe_keys(images):
    info, arrays = file_keys(images)
    return (f"per-frame keys: {', '.join(info) or 'none'}; per-atom keys: {', '.join(arrays) or 'none'}")


def stress_matrix(value, where):
    s = np.asarray(value, dtype=float)
    if s.shape == (3, 3):
        return s
    if s.shape == (9,):
        return s.reshape(3, 3)
    if s.shape == (6,):  # Voigt xx yy zz yz xz xy
        xx, yy, zz, yz, xz, xy = s
        return np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
    raise LabelError(f"{where}: a stress label must have 9, 6 (Voigt) or 3x3 values, not shape {s.shape}")


def _choose_key(images, quantity, key, path):
    per_atom = quantity == "forces"
    if key is not None:
        if not any(_lookup(a, key, per_atom) is not None for a in images):
            raise LabelError(f"{path}: no frame has the {quantity} key {key!r} ({OPTIONS[quantity]}); the "
                             f"file's {describe_keys(images)}")
        return key
    for candidate in DEFAULT_KEYS[quantity]:
        if any(_lookup(a, candidate, per_atom) is not None for a in images):
            return candidate
    return None


def read_labelled(path, energy_key=None, forces_key=None, stress_key=None, index=":"):
    """The frames of `path` with their labels. Raises LabelError for a file without energy or force
    labels, or a key that no frame has, naming the keys the file has."""
    import ase.io

    images = ase.io.read(path, index=index)
    if not isinstance(images, list):
        images = [images]
    if not images:
        raise LabelError(f"{path}: no structures")
    keys = {q: _choose_key(images, q, k, path)
            for q, k in (("energy", energy_key), ("forces", forces_key), ("stress", stress_key))}
    if keys["energy"] is None and keys["forces"] is None:
        looked = "; ".join(f"{q}: {', '.join(DEFAULT_KEYS[q])}" for q in DEFAULT_KEYS)
        raise LabelError(f"{path} has no energy or force labels (looked for {looked}); the file's "
                         f"{describe_keys(images)}. Name them with --energy-key, --forces-key, --stress-key")
    frames = []
    for i, atoms in enumerate(images):
        where = f"{path} frame {i}"
        energy = _lookup(atoms, keys["energy"], False) if keys["energy"] else None
        forces = _lookup(atoms, keys["forces"], True) if keys["forces"] else None
        stress = _lookup(atoms, keys["stress"], False) if keys["stress"] else None
        if forces is not None:
            forces = np.asarray(forces, dtype=float)
            if forces.shape != (len(atoms), 3):
                raise LabelError(f"{where}: forces {keys['forces']!r} have shape {forces.shape}, not ({len(atoms)}, 3)")
        if stress is not None:
            stress = stress_matrix(stress, where) if atoms.pbc.all() else None
        bare = atoms.copy()
        bare.calc = None
        frames.append(Frame(bare, None if energy is None else float(energy), forces, stress))
    return LabelledData(path, frames, keys)
