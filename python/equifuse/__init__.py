"""equifuse: MACE and NequIP interatomic potentials on the CPU and CUDA GPUs, without PyTorch.

    import equifuse
    potential = equifuse.Potential("potentials/cuau-mace-small.eqf")     # device="auto"
    result = potential.evaluate(numbers, positions, cell, pbc)           # numpy arrays

equifuse.ase.EquifuseCalculator is the ASE calculator; `equifuse validate POTENTIAL DATA` the
force-field validation (docs/python.md).
"""

from importlib import metadata as _metadata

from ._equifuse import Error, cuda_available, cuda_built
from .potential import Evaluation, Potential, resolve_device

try:
    __version__ = _metadata.version("equifuse")
except _metadata.PackageNotFoundError:  # imported from a folder, not installed
    __version__ = "unknown"
__all__ = ["Error", "Evaluation", "Potential", "cuda_available", "cuda_built", "resolve_device"]
