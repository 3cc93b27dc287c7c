"""Force-field validation: a potential's errors against labelled structures (`equifuse validate`).

    from equifuse.validate import validate
    result = validate("potentials/cuau-mace-small.eqf", "potentials/data/cuau-emt-test.extxyz")
    result.metrics.forces.rmse        # meV/A
"""

import dataclasses

from ..potential import Potential
from .labels import DEFAULT_KEYS, LabelError, LabelledData, read_labelled
from .metrics import Comparison, Metrics, compare, metrics

__all__ = ["DEFAULT_KEYS", "LabelError", "Validation", "validate"]


@dataclasses.dataclass
class Validation:
    potential: Potential
    data: LabelledData
    comparison: Comparison
    metrics: Metrics
    symbols: dict  # atomic number -> chemical symbol, for the elements of the data


def _check_elements(potential, data):
    """Every element of the data must be the potential's: one error naming all that are not."""
    known = set(potential.species)
    unknown = {}
    for i, frame in enumerate(data.frames):
        for z, symbol in zip(frame.atoms.numbers, frame.atoms.get_chemical_symbols()):
            if z not in known:
                unknown.setdefault(symbol, []).append(i)
    if unknown:
        def frames(indices):
            indices = sorted(set(indices))
            listed = ", ".join(map(str, indices[:5])) + (", ..." if len(indices) > 5 else "")
            return f"frame{'s' if len(indices) > 1 else ''} {listed}"
        where = "; ".join(f"{symbol} in {frames(indices)}" for symbol, indices in sorted(unknown.items()))
        raise LabelError(f"{data.path} has elements that {potential.path} does not know ({where}); "
                         f"its elements: {', '.join(potential.elements)}")


def validate(potential, data, energy_key=None, forces_key=None, stress_key=None, device="auto",
             precision="float64", head=None):
    """potential: a path or an equifuse.Potential; data: a labelled file (extended XYZ); head: of
    a multi-head potential, the one validated."""
    if not isinstance(potential, Potential):
        potential = Potential(potential, device=device, precision=precision, head=head)
    labelled = read_labelled(data, energy_key, forces_key, stress_key)
    _check_elements(potential, labelled)
    predictions = [potential.evaluate(f.atoms.numbers, f.atoms.positions, f.atoms.cell.array, f.atoms.pbc)
                   for f in labelled.frames]
    comparison = compare(labelled.frames, predictions)
    symbols = {}
    for f in labelled.frames:
        symbols.update(zip(f.atoms.numbers.tolist(), f.atoms.get_chemical_symbols()))
    atoms = sum(len(f.atoms) for f in labelled.frames)
    return Validation(potential, labelled, comparison,
                      metrics(comparison, symbols, len(labelled.frames), atoms), symbols)
