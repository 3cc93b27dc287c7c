"""The example scripts of examples/python run (--small) and print their results next to EMT's and
write their plots."""

import re
import subprocess
import sys

import pytest

from conftest import REPOSITORY

EXAMPLES = {
    "equation_of_state": r"cuau-mace-small +3\.[56]\d+ .* [0-9.]+\nEMT +3\.5\d+ ",
    "fire_relaxation": r"cuau-mace-small +\d+ +True +-[0-9.]+ +3\.\d+ .*\nEMT +\d+ +True ",
    "phonons": r"cuau-mace-small +(\d+\.\d+ +){6}\d+\.\d+\nEMT ",
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name, tmp_path):
    script = REPOSITORY / "examples" / "python" / f"{name}.py"
    result = subprocess.run([sys.executable, str(script), "--small", "--output-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    print(result.stdout)
    assert re.search(EXAMPLES[name], result.stdout), result.stdout
    assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
