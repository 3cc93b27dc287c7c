"""The `equifuse` command of the Python package: `equifuse validate ...` runs here (it reads
labels with ASE and plots with matplotlib); every other subcommand (eval, tp, precompile, ...) is
the C++ command-line tool installed with the package, which this command becomes (exec)."""

import os
import sys

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "equifuse")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "validate":
        from .validate.command import main as validate
        return validate(argv[1:])
    if not os.access(TOOL, os.X_OK):
        print(f"equifuse: error: the command-line tool is missing from the package ({TOOL}); "
              "reinstall with pip install .", file=sys.stderr)
        return 2
    sys.stdout.flush()
    os.execv(TOOL, [TOOL, *argv])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
