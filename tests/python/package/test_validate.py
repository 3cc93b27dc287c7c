"""`equifuse validate`: on the shipped potentials' test split it reproduces the RMSEs of
potentials/README.md and writes the table as JSON and Markdown with the plots; a file without
labels, a key the file does not have and an element the potential does not know are refused with
messages that say what the file has."""

import json
import re
import subprocess

import ase.io
import numpy as np
import pytest
from ase.build import bulk

from conftest import POTENTIALS, REPOSITORY, TEST_SPLIT


def run_validate(command, *args, check=True):
    result = subprocess.run([command, "validate", *map(str, args)], capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def readme_rmse(family):
    """The `equifuse eval` row of potentials/README.md's test-set table: energy (meV/atom), force
    (meV/A), as written there."""
    text = (REPOSITORY / "potentials" / "README.md").read_text()
    row = re.search(rf"^\| {family} equifuse \(`equifuse eval`\) \| ([0-9.]+) \| ([0-9.]+) \|$", text, re.M)
    assert row, f"no {family} row in potentials/README.md"
    return row.group(1), row.group(2)


@pytest.mark.parametrize("family", sorted(POTENTIALS))
def test_reproduces_the_readme_rmse(family, tmp_path, equifuse_command):
    out = tmp_path / "report"
    result = run_validate(equifuse_command, POTENTIALS[family], TEST_SPLIT, "--output-dir", out, "--device", "cpu")
    print(result.stdout)
    report = json.loads((out / "errors.json").read_text())
    energy, force = readme_rmse(family)
    decimals = lambda text: len(text.split(".")[1])
    assert f"{report['energy_per_atom']['rmse']:.{decimals(energy)}f}" == energy
    assert f"{report['forces']['rmse']:.{decimals(force)}f}" == force
    assert report["labels"] == {"energy": "REF_energy", "forces": "REF_forces", "stress": "REF_stress"}
    assert report["frames"] == 51 and report["energy_per_atom"]["count"] == 51
    assert set(report["forces_by_element"]) == {"Cu", "Au"} and report["stress"]["count"] > 0
    assert "energy per atom" in result.stdout and "forces on Au" in result.stdout
    assert "| forces (components) | meV/A |" in (out / "errors.md").read_text()
    for png in ("parity_energy", "parity_forces", "parity_stress", "force_errors_by_element"):
        assert (out / f"{png}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_keys_given_by_option(tmp_path, equifuse_command):
    frames = ase.io.read(TEST_SPLIT, ":5")
    for atoms in frames:
        atoms.info["dft_e"] = atoms.info.pop("REF_energy")
        atoms.arrays["dft_f"] = atoms.arrays.pop("REF_forces")
        atoms.info.pop("REF_stress", None)
    data = tmp_path / "renamed.extxyz"
    ase.io.write(data, frames, format="extxyz")
    run_validate(equifuse_command, POTENTIALS["nequip"], data, "--energy-key", "dft_e", "--forces-key", "dft_f",
                 "--output-dir", tmp_path / "out", "--no-plots")
    report = json.loads((tmp_path / "out" / "errors.json").read_text())
    assert report["labels"] == {"energy": "dft_e", "forces": "dft_f", "stress": None} and report["stress"] is None


def test_a_file_without_labels_is_refused(tmp_path, equifuse_command):
    data = tmp_path / "bare.extxyz"
    ase.io.write(data, [bulk("Cu", "fcc", a=3.61, cubic=True)], format="extxyz")
    result = run_validate(equifuse_command, POTENTIALS["mace"], data, "--output-dir", tmp_path, check=False)
    assert result.returncode == 1
    assert "has no energy or force labels (looked for energy: REF_energy, energy" in result.stderr
    assert "Name them with --energy-key" in result.stderr


def test_a_wrong_key_names_the_keys_the_file_has(tmp_path, equifuse_command):
    result = run_validate(equifuse_command, POTENTIALS["mace"], TEST_SPLIT, "--energy-key", "PBE_energy",
                          "--output-dir", tmp_path, check=False)
    assert result.returncode == 1
    assert "no frame has the energy key 'PBE_energy' (--energy-key)" in result.stderr
    assert "per-frame keys: REF_energy, REF_stress" in result.stderr
    assert "per-atom keys: REF_forces, momenta" in result.stderr


def test_an_element_the_potential_does_not_know_is_refused(tmp_path, equifuse_command):
    frames = ase.io.read(TEST_SPLIT, ":3")
    frames[1].numbers[[0, 2]] = 26  # Fe
    frames[2].numbers[5] = 28  # Ni
    data = tmp_path / "with-fe.extxyz"
    ase.io.write(data, frames, format="extxyz")
    result = run_validate(equifuse_command, POTENTIALS["mace"], data, "--output-dir", tmp_path, check=False)
    assert result.returncode == 1
    assert "has elements that" in result.stderr and "cuau-mace-small.eqf does not know" in result.stderr
    assert "(Fe in frame 1; Ni in frame 2); its elements: Cu, Au" in result.stderr


def test_python_api_gives_the_same_errors():
    from equifuse.validate import validate

    result = validate(POTENTIALS["nequip"], TEST_SPLIT, device="cpu")
    m = result.metrics
    assert m.forces.count == 3 * m.atoms and m.energy_per_atom.rmse > m.energy_per_atom.mae > 0
    np.testing.assert_allclose(
        m.forces.rmse ** 2 * m.forces.count,
        sum(e.rmse ** 2 * e.count for e in m.forces_by_element.values()), rtol=1e-12)
