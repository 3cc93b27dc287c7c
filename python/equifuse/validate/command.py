"""`equifuse validate POTENTIAL DATA`: prints the error table and writes it as JSON and Markdown,
with parity plots and the per-element force errors as PNG, into --output-dir."""

import argparse
import os
import sys

from . import report
from .labels import DEFAULT_KEYS


def parser():
    keys = lambda q: ", ".join(DEFAULT_KEYS[q])
    p = argparse.ArgumentParser(
        prog="equifuse validate",
        description="Errors of a potential against reference labels: energy per atom, force components "
                    "(all and per element) and stress components, as MAE and RMSE.")
    p.add_argument("potential", help="potential file (.eqf)")
    p.add_argument("data", help="labelled structures (extended XYZ, or any format ASE reads)")
    p.add_argument("--energy-key", help=f"the energy label (default: the first of {keys('energy')})")
    p.add_argument("--forces-key", help=f"the forces label (default: the first of {keys('forces')})")
    p.add_argument("--stress-key", help=f"the stress label (default: the first of {keys('stress')})")
    p.add_argument("--output-dir", help="where the JSON, Markdown and PNG files go "
                                        "(default: validation-<potential name>)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--precision", default="float64", choices=("float64", "float32"))
    p.add_argument("--head", help="of a multi-head potential (MACE MH-1), the head to validate")
    p.add_argument("--no-plots", action="store_true", help="write no PNG files")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    from . import validate  # after parsing: --help needs no potential loaded
    from .plots import write_plots

    try:
        result = validate(args.potential, args.data, args.energy_key, args.forces_key, args.stress_key,
                          device=args.device, precision=args.precision, head=args.head)
    except (ValueError, OSError) as e:  # LabelError, equifuse.Error, a missing file
        print(f"equifuse validate: error: {e}", file=sys.stderr)
        return 1
    m, potential = result.metrics, result.potential
    name = os.path.splitext(os.path.basename(args.potential))[0]
    out = args.output_dir or f"validation-{name}"
    os.makedirs(out, exist_ok=True)
    labels = ", ".join(f"{q} {k}" for q, k in result.data.keys.items() if k) or "none"
    title = f"{name} on {os.path.basename(args.data)}"
    head = f", head {potential.head}" if len(potential.heads) > 1 else ""
    print(f"equifuse validate: {args.potential} ({potential.architecture}{head}, {potential.device}, "
          f"{potential.precision}) on {args.data}: {m.frames} structures, {m.atoms} atoms; labels: {labels}")
    print(report.table(m))
    header = {"potential": args.potential, "data": args.data, "labels": result.data.keys,
              "head": potential.head, "device": potential.device, "precision": potential.precision}
    files = [os.path.join(out, "errors.json"), os.path.join(out, "errors.md")]
    with open(files[0], "w") as f:
        f.write(report.as_json(m, header))
    with open(files[1], "w") as f:
        f.write(report.markdown(m, title))
    if not args.no_plots:
        files += write_plots(result.comparison, m, result.symbols, out)
    print("wrote " + ", ".join(files))
    return 0
