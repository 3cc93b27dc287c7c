"""The structures every model reference is evaluated on (shared by mace_reference.py and
nequip_reference.py)."""

import ase
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
