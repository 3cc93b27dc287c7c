"""equifuse.Potential: what it loads and refuses, and the evaluation's arrays (shapes, sums,
stress = -virial / volume)."""

import numpy as np
import pytest

import equifuse
from conftest import POTENTIALS, REPOSITORY, STRUCTURES
from equifuse.ase import EquifuseCalculator


def test_loads_the_shipped_potentials():
    for family, path in POTENTIALS.items():
        p = equifuse.Potential(path)
        assert p.architecture == family
        assert p.elements == ("Cu", "Au") and p.species == (29, 79)
        assert p.r_max == pytest.approx(4.5)
        assert p.device == ("cuda" if equifuse.cuda_available() else "cpu")  # device="auto"
        assert p.precision == "float64" and p.heads == (p.head,) and p.head.lower() == "default"


def test_refuses_bad_arguments_with_what_is_accepted():
    path = POTENTIALS["mace"]
    assert equifuse.Potential(path, device="cpu", head="default").head == "Default"  # mace-torch's name
    assert equifuse.Potential(path, device="cpu", head="DEFAULT").head == "Default"
    with pytest.raises(ValueError, match=r'has no head "omat" \(its heads: Default\)'):
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


FOUNDATION = REPOSITORY / "tests" / "data" / "models" / "foundation"


def _reference(name, structure):
    """mace-torch's results for a stand-in foundation model (mace_foundation_reference.py) and
    its structure, read with ASE."""
    import json

    from ase.io import read

    expected = json.loads((FOUNDATION / f"{name}.json").read_text())["structures"][structure]
    return expected, read(FOUNDATION / "structures" / expected["file"])


def test_a_multi_head_model_evaluates_the_head_asked_for():
    path = FOUNDATION / "mh1.eqf"  # MACE MH-1's architecture, random weights, six heads
    heads = ("matpes_r2scan", "mp_pbe_refit_add", "spice_wB97M", "oc20_usemppbe", "omol", "omat_pbe")
    with pytest.raises(equifuse.Error, match=r"has 6 heads \(matpes_r2scan, .*\): choose one"):
        equifuse.Potential(path, device="cpu")
    energies = set()
    for head in ("omat_pbe", "spice_wB97M"):
        p = equifuse.Potential(path, device="cpu", head=head)
        assert p.heads == heads and p.head == head and f"head '{head}'" in repr(p)
        expected, atoms = _reference(f"mh1@{head}", "fcc_rattled")
        r = p.evaluate(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc)
        assert r.energy == pytest.approx(expected["energy"], rel=1e-9)
        np.testing.assert_allclose(r.forces, expected["forces"], rtol=1e-8, atol=1e-8)
        energies.add(r.energy)
    assert len(energies) == 2
    with pytest.raises(equifuse.Error, match=r'no head "pbe" \(its heads: matpes_r2scan'):
        equifuse.Potential(path, device="cpu", head="pbe")


@pytest.mark.parametrize("name", ["omol", "omol%1", "omol%2"])
def test_total_charge_and_spin_reach_the_model(name):
    expected, atoms = _reference(name, "molecule")
    charge, spin = expected.get("total_charge", 0), expected.get("total_spin", 1)
    calc = EquifuseCalculator(FOUNDATION / "omol.eqf", device="cpu", total_charge=charge, total_spin=spin)
    atoms.calc = calc
    assert atoms.get_potential_energy() == pytest.approx(expected["energy"], rel=1e-9)
    np.testing.assert_allclose(atoms.get_forces(), expected["forces"], rtol=1e-8, atol=1e-8)
