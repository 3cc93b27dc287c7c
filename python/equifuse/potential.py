"""equifuse.Potential: a potential file (.eqf) loaded for evaluation on the CPU or a CUDA GPU.

    potential = equifuse.Potential("potentials/cuau-mace-small.eqf")       # device="auto"
    result = potential.evaluate(numbers, positions, cell, pbc)
    result.energy, result.forces, result.stress, result.energies, result.virials

Units are the potential's (eV and Angstrom for every shipped one). Stress follows ASE: -virial /
volume, positive under tension, for fully periodic structures only.
"""

import dataclasses
import os
from typing import Optional

import numpy as np

from . import _equifuse

DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("float64", "float32")


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """What one evaluation returns (numpy arrays, float64, the potential's units)."""

    energy: float  # eV
    energies: np.ndarray  # [n] per-atom energies, summing to energy
    forces: np.ndarray  # [n, 3] eV/A
    virial: np.ndarray  # [3, 3] eV, -dE/dstrain
    virials: np.ndarray  # [n, 3, 3] per-atom virials, summing to virial
    stress: Optional[np.ndarray]  # [3, 3] eV/A^3 = -virial / volume; None unless fully periodic
    stresses: Optional[np.ndarray]  # [n, 3, 3] -virials / volume; None unless fully periodic
    num_edges: int  # directed pairs closer than r_max


def resolve_device(device: str) -> str:
    """'auto' -> 'cuda' where a GPU is visible and this build has CUDA, else 'cpu'."""
    if device == "auto":
        return "cuda" if _equifuse.cuda_available() else "cpu"
    if device == "cuda":
        if not _equifuse.cuda_built():
            raise ValueError("device 'cuda': this build of equifuse has no CUDA backend "
                             "(it was built without the CUDA toolkit)")
        if not _equifuse.cuda_available():
            raise ValueError("device 'cuda': no CUDA GPU is visible")
        return device
    if device == "cpu":
        return device
    raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")


def _structure_arrays(numbers, positions, cell, pbc):
    numbers = np.asarray(numbers)
    if numbers.ndim != 1 or (numbers.size and not np.issubdtype(numbers.dtype, np.integer)):
        raise ValueError(f"numbers must be a 1-d array of atomic numbers, got shape {numbers.shape} "
                         f"and dtype {numbers.dtype}")
    numbers = np.ascontiguousarray(numbers, dtype=np.int32)
    positions = np.ascontiguousarray(positions, dtype=np.float64)
    if positions.shape != (len(numbers), 3):
        raise ValueError(f"positions must have shape ({len(numbers)}, 3), got {positions.shape}")
    cell = np.zeros((3, 3)) if cell is None else np.ascontiguousarray(cell, dtype=np.float64)
    if cell.shape != (3, 3):
        raise ValueError(f"cell must be 3x3 (rows are lattice vectors), got shape {cell.shape}")
    pbc = np.broadcast_to(np.asarray(pbc, dtype=bool), (3,))
    return numbers, positions, cell, tuple(bool(p) for p in pbc)


class Potential:
    """A potential file loaded on a device.

    path: the .eqf file. device: "auto" (CUDA where a GPU is visible, else the CPU), "cpu" or
    "cuda". precision: "float64" (the reference) or "float32". head: of a multi-head model (MACE
    MH-1: "omat_pbe", "omol", ...), the one to evaluate; None or "default" picks a single head or
    the one called default, and a multi-head model without one must be given a head
    (Potential.heads lists them). total_charge (e) and total_spin (the multiplicity 2S+1): for
    models that embed them (MACE-OMOL), fixed for every structure; others ignore them.
    """

    def __init__(self, path, device: str = "auto", precision: str = "float64",
                 head: Optional[str] = None, total_charge: float = 0.0, total_spin: float = 1.0):
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no potential file {path!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        self.path = path
        self.total_charge = float(total_charge)
        self.total_spin = float(total_spin)
        self._model = _equifuse.LoadedPotential(path, precision, resolve_device(device), head or "",
                                                self.total_charge, self.total_spin)

    device = property(lambda self: self._model.device, doc="'cpu' or 'cuda'")
    precision = property(lambda self: self._model.precision)
    architecture = property(lambda self: self._model.architecture, doc="'mace' or 'nequip'")
    species = property(lambda self: tuple(self._model.species), doc="atomic numbers, the model's order")
    elements = property(lambda self: tuple(_equifuse.chemical_symbol(z) for z in self._model.species))
    r_max = property(lambda self: self._model.r_max, doc="cutoff (Angstrom)")
    num_interactions = property(lambda self: self._model.num_interactions)
    heads = property(lambda self: tuple(self._model.heads), doc="every head the file keeps")
    head = property(lambda self: self._model.head, doc="the head this potential evaluates")

    def neighbor_list(self, skin: float = 1.0):
        """A neighbour list to pass to evaluate() step after step: built with r_max + skin and
        reused while no atom has moved more than skin / 2 (results are those of a fresh list)."""
        return _equifuse.NeighborList(self.r_max, float(skin))

    def evaluate(self, numbers, positions, cell=None, pbc=False, neighbor_list=None) -> Evaluation:
        """Energy, forces, per-atom energies and virials (and stresses, if fully periodic).

        numbers [n] (atomic numbers), positions [n, 3] (Angstrom), cell [3, 3] (rows are the
        lattice vectors), pbc: a bool or three. Raises equifuse.Error (a ValueError) for an
        element the potential does not know or a singular periodic cell.
        """
        numbers, positions, cell, pbc = _structure_arrays(numbers, positions, cell, pbc)
        if neighbor_list is not None and neighbor_list.cutoff != self.r_max:
            raise ValueError(f"neighbor_list has cutoff {neighbor_list.cutoff}, the potential's r_max "
                             f"is {self.r_max}: make it with Potential.neighbor_list()")
        out = self._model.evaluate(numbers, positions, cell, pbc, neighbor_list)
        return Evaluation(energy=out["energy"], energies=out["energies"], forces=out["forces"],
                          virial=out["virial"], virials=out["virials"], stress=out.get("stress"),
                          stresses=out.get("stresses"), num_edges=out["num_edges"])

    def __repr__(self):
        return (f"equifuse.Potential({self.path!r}, device={self.device!r}, precision={self.precision!r}: "
                f"{self.architecture}, {'/'.join(self.elements)}, r_max {self.r_max:g} A"
                + (f", head {self.head!r}" if len(self.heads) > 1 else "") + ")")
