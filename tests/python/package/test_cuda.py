"""The package on a CUDA GPU (ctest gpu.python.package.cuda; exits as skipped without one): the
same energies, forces and stresses as on the CPU (float64 to 1e-10, float32 to single precision's
rounding), the calculator in a short NVE run, and `equifuse validate --device cuda`."""

import json
import subprocess

import numpy as np
import pytest

import equifuse
from conftest import POTENTIALS, STRUCTURES, TEST_SPLIT
from equifuse.ase import EquifuseCalculator


@pytest.mark.parametrize("family", sorted(POTENTIALS))
@pytest.mark.parametrize("kind", sorted(STRUCTURES))
def test_cuda_matches_the_cpu(family, kind):
    atoms = STRUCTURES[kind]()
    args = (atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc)
    cpu = equifuse.Potential(POTENTIALS[family], device="cpu").evaluate(*args)
    for precision, tolerance in (("float64", 1e-10), ("float32", 2e-4)):
        gpu_potential = equifuse.Potential(POTENTIALS[family], device="auto", precision=precision)
        assert gpu_potential.device == "cuda"
        gpu = gpu_potential.evaluate(*args)
        assert gpu.energy == pytest.approx(cpu.energy, abs=tolerance * len(atoms))
        np.testing.assert_allclose(gpu.forces, cpu.forces, atol=tolerance)
        np.testing.assert_allclose(gpu.energies, cpu.energies, atol=tolerance)
        if cpu.stress is not None:
            np.testing.assert_allclose(gpu.stress, cpu.stress, atol=tolerance * 1e-2)


def test_calculator_on_cuda_in_nve():
    from ase import units
    from ase.md.velocitydistribution import thermalize_momenta
    from ase.md.verlet import VelocityVerlet

    atoms = STRUCTURES["periodic"]()
    atoms.calc = EquifuseCalculator(POTENTIALS["mace"], device="cuda", skin=0.3)
    thermalize_momenta(atoms, temperature_K=800, rng=np.random.default_rng(6))
    total = []
    dynamics = VelocityVerlet(atoms, timestep=2.0 * units.fs)
    dynamics.attach(lambda: total.append(atoms.get_total_energy()))
    dynamics.run(100)
    assert np.abs(np.array(total) - total[0]).max() / len(atoms) < 1e-3
    assert atoms.calc.neighbor_list.builds > 1


def test_validate_on_cuda(tmp_path, equifuse_command):
    subprocess.run([equifuse_command, "validate", str(POTENTIALS["nequip"]), str(TEST_SPLIT), "--device", "cuda",
                    "--output-dir", str(tmp_path), "--no-plots"], check=True, capture_output=True)
    report = json.loads((tmp_path / "errors.json").read_text())
    assert report["device"] == "cuda"
    assert f"{report['energy_per_atom']['rmse']:.2f}" == "18.63" and f"{report['forces']['rmse']:.1f}" == "20.3"
