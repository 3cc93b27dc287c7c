"""The ASE calculator gives `equifuse eval`'s numbers bit for bit in float64 (energy, per-atom
energies, forces, stress in ASE's Voigt order) on a periodic, a slab and a molecule structure,
with both shipped potentials, on its first call and on later calls that reuse its neighbour list."""

import shlex
import subprocess

import ase.io
import numpy as np
import pytest

from conftest import POTENTIALS, STRUCTURES
from equifuse.ase import EquifuseCalculator


def read_eval_output(path):
    """The frames `equifuse eval --output` writes: comment keys and the per-atom columns."""
    frames, lines = [], open(path).read().splitlines()
    i = 0
    while i < len(lines):
        n = int(lines[i])
        info = dict(item.split("=", 1) for item in shlex.split(lines[i + 1]))
        columns = info["Properties"].split(":")
        assert columns[:6] == ["species", "S", "1", "pos", "R", "3"] and columns[6:] == [
            "energies", "R", "1", "forces", "R", "3"], columns
        rows = [line.split() for line in lines[i + 2:i + 2 + n]]
        frames.append({"energy": float(info["energy"]),
                       "stress": np.array(info["stress"].split(), float).reshape(3, 3) if "stress" in info else None,
                       "energies": np.array([float(r[4]) for r in rows]),
                       "forces": np.array([[float(x) for x in r[5:8]] for r in rows])})
        i += 2 + n
    return frames


def equifuse_eval(equifuse_command, potential, structure_file, out_file):
    subprocess.run([equifuse_command, "eval", str(potential), str(structure_file), "--quiet", "--output",
                    str(out_file)], check=True, capture_output=True, text=True)
    return read_eval_output(out_file)


def expect_bitwise(atoms, expected):
    assert atoms.get_potential_energy() == expected["energy"]
    assert atoms.calc.get_property("free_energy", atoms) == expected["energy"]
    assert np.array_equal(atoms.get_potential_energies(), expected["energies"])
    assert np.array_equal(atoms.get_forces(), expected["forces"])
    if expected["stress"] is None:
        assert "stress" not in atoms.calc.results
    else:
        s = expected["stress"]
        assert np.array_equal(atoms.get_stress(), [s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])


@pytest.mark.parametrize("family", sorted(POTENTIALS))
@pytest.mark.parametrize("kind", sorted(STRUCTURES))
def test_calculator_is_equifuse_eval_bitwise(family, kind, tmp_path, equifuse_command):
    structure = STRUCTURES[kind]()
    calc = EquifuseCalculator(POTENTIALS[family], device="cpu")
    rng = np.random.default_rng(2)
    for step in range(3):  # the first call builds the neighbour list, the later ones reuse it
        written = tmp_path / f"{kind}-{step}.extxyz"
        ase.io.write(written, structure, format="extxyz")
        atoms = ase.io.read(written)  # the positions `equifuse eval` reads, to the bit
        atoms.calc = calc
        expected = equifuse_eval(equifuse_command, POTENTIALS[family], written, tmp_path / f"eval-{step}.extxyz")
        expect_bitwise(atoms, expected[0])
        structure.positions += rng.uniform(-0.04, 0.04, structure.positions.shape)
    assert calc.neighbor_list.builds == 1


def test_stress_is_not_offered_without_a_volume():
    from ase.calculators.calculator import PropertyNotImplementedError

    atoms = STRUCTURES["slab"]()
    atoms.calc = EquifuseCalculator(POTENTIALS["mace"], device="cpu")
    with pytest.raises(PropertyNotImplementedError):
        atoms.get_stress()
