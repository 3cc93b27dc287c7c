"""equifuse.Potential: what it loads and refuses, and the evaluation's arrays (shapes, sums,
stress = -virial / volume)."""

import numpy as np
import pytest

import equifuse
from conftest import POTENTIALS, STRUCTURES


def test_loads_the_shipped_potentials():
    for family, path in POTENTIALS.items():
        p = equifuse.Potential(path)
        assert p.architecture == family
        assert p.elements == ("Cu", "Au") and p.species == (29, 79)
        assert p.r_max == pytest.approx(4.5)
        assert p.device == ("cuda" if equifuse.cuda_available() else "cpu")  # device="auto"
        assert p.precision == "float64" and p.heads == ("default",) and p.head == "default"


def test_refuses_bad_arguments_with_what_is_accepted():
    path = POTENTIALS["mace"]
    assert equifuse.Potential(path, device="cpu", head="default").head == "default"
    with pytest.raises(ValueError, match=r"has no head 'omat'; its heads: default"):
        equifuse.Potential(path, head="omat")
    with pytest.raises(ValueError, match=r"precision must be one of float64, float32, not 'half'"):
        equifuse.Potential(path, precision="half")
    with pytest.raises(ValueError, match=r"device must be one of auto, cpu, cuda, not 'tpu'"):
        equifuse.Potential(path, device="tpu")
    with pytest.raises(FileNotFoundError, match="no potential file"):
        equifuse.Potential("no-such-file.eqf")
    with pytest.raises(equifuse.Error, match="README.md"):
        equifuse.Potential(POTENTIALS["mace"].parents[1] / "README.md")
    if not equifuse.cuda_available():
        with pytest.raises(ValueError, match="device 'cuda'"):
            equifuse.Potential(path, device="cuda")


def test_unknown_element_names_the_atom_and_the_potentials_elements():
    p = equifuse.Potential(POTENTIALS["nequip"], device="cpu")
    atoms = STRUCTURES["molecule"]()
    atoms.numbers[4] = 26
    with pytest.raises(equifuse.Error, match=r"atom 5 is Fe, which the potential does not know \(its elements: Cu Au\)"):
        p.evaluate(atoms.numbers, atoms.positions)
    with pytest.raises(ValueError, match=r"positions must have shape \(13, 3\)"):
        p.evaluate(atoms.numbers, atoms.positions[:5])


@pytest.mark.parametrize("kind", sorted(STRUCTURES))
def test_evaluation_arrays(kind):
    p = equifuse.Potential(POTENTIALS["mace"], device="cpu")
    atoms = STRUCTURES[kind]()
    n = len(atoms)
    r = p.evaluate(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc)
    assert r.forces.shape == (n, 3) and r.energies.shape == (n,) and r.virials.shape == (n, 3, 3)
    assert r.energies.sum() == pytest.approx(r.energy, abs=1e-10)
    np.testing.assert_allclose(r.virials.sum(axis=0), r.virial, atol=1e-10)
    np.testing.assert_allclose(r.forces.sum(axis=0), 0, atol=1e-10)  # no external field
    if kind == "periodic":
        np.testing.assert_allclose(r.stress, -r.virial / atoms.get_volume(), rtol=1e-12)
        np.testing.assert_allclose(r.stresses.sum(axis=0), r.stress, atol=1e-12)
    else:
        assert r.stress is None and r.stresses is None


def test_a_kept_neighbor_list_gives_the_fresh_lists_results():
    p = equifuse.Potential(POTENTIALS["mace"], device="cpu")
    atoms = STRUCTURES["periodic"]()
    nl = p.neighbor_list(skin=0.8)
    rng = np.random.default_rng(1)
    for _ in range(4):
        kept = p.evaluate(atoms.numbers, atoms.positions, atoms.cell, atoms.pbc, neighbor_list=nl)
        fresh = p.evaluate(atoms.numbers, atoms.positions, atoms.cell, atoms.pbc)
        assert kept.energy == fresh.energy and kept.num_edges == fresh.num_edges
        assert np.array_equal(kept.forces, fresh.forces) and np.array_equal(kept.stress, fresh.stress)
        atoms.positions += rng.uniform(-0.05, 0.05, atoms.positions.shape)
    assert nl.builds == 1
    with pytest.raises(ValueError, match="cutoff"):
        p.evaluate(atoms.numbers, atoms.positions, neighbor_list=equifuse._equifuse.NeighborList(3.0, 1.0))
