"""Errors of a potential's predictions against reference labels: MAE, RMSE and maximum, for the
energy per atom, force components (all atoms and per element) and stress components (Voigt),
in meV/atom, meV/A and meV/A^3."""

import dataclasses
from typing import Dict, Optional

import numpy as np

VOIGT = (np.array([0, 1, 2, 1, 0, 0]), np.array([0, 1, 2, 2, 2, 1]))  # xx yy zz yz xz xy


@dataclasses.dataclass
class Errors:
    unit: str
    count: int  # values compared
    mae: float
    rmse: float
    max: float

    @staticmethod
    def of(predicted, reference, unit, scale=1000.0):
        d = scale * (np.ravel(predicted) - np.ravel(reference))
        return Errors(unit, int(d.size), float(np.mean(np.abs(d))), float(np.sqrt(np.mean(d * d))),
                      float(np.max(np.abs(d))))


@dataclasses.dataclass
class Comparison:
    """Predicted and reference values side by side (eV, eV/A, eV/A^3), for the plots."""

    energy_per_atom: np.ndarray  # [frames, 2]: predicted, reference
    forces: np.ndarray  # [components, 2]
    force_elements: np.ndarray  # [components] atomic number of each force component's atom
    stress: np.ndarray  # [frames * 6, 2]


@dataclasses.dataclass
class Metrics:
    energy_per_atom: Optional[Errors]
    forces: Optional[Errors]
    forces_by_element: Dict[str, Errors]
    stress: Optional[Errors]
    frames: int
    atoms: int


def compare(frames, predictions) -> Comparison:
    """frames: labels.Frame list; predictions: equifuse.Evaluation per frame."""
    energy, forces, elements, stress = [], [], [], []
    for frame, p in zip(frames, predictions):
        n = len(frame.atoms)
        if frame.energy is not None:
            energy.append((p.energy / n, frame.energy / n))
        if frame.forces is not None:
            forces.append(np.stack([p.forces.ravel(), frame.forces.ravel()], axis=1))
            elements.append(np.repeat(frame.atoms.numbers, 3))
        if frame.stress is not None and p.stress is not None:
            stress.append(np.stack([p.stress[VOIGT], frame.stress[VOIGT]], axis=1))
    pairs = lambda rows: np.concatenate(rows) if rows else np.zeros((0, 2))
    return Comparison(np.array(energy).reshape(-1, 2), pairs(forces),
                      np.concatenate(elements) if elements else np.zeros(0, dtype=int), pairs(stress))


def metrics(comparison: Comparison, symbols: Dict[int, str], frames: int, atoms: int) -> Metrics:
    """symbols: chemical symbol of each atomic number that occurs, for the per-element errors."""
    c = comparison
    by_element = {}
    for z, symbol in sorted(symbols.items()):
        mask = c.force_elements == z
        if mask.any():
            by_element[symbol] = Errors.of(c.forces[mask, 0], c.forces[mask, 1], "meV/A")
    some = lambda a, unit: Errors.of(a[:, 0], a[:, 1], unit) if len(a) else None
    return Metrics(some(c.energy_per_atom, "meV/atom"), some(c.forces, "meV/A"), by_element,
                   some(c.stress, "meV/A^3"), frames, atoms)
