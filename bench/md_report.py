#!/usr/bin/env python3
"""Table (markdown) and plot of md_benchmark.py's rows: ms per MD step and atom-steps/s of
pair_style equifuse in LAMMPS, of pair_style equifuse/kk (KOKKOS; when measured), of `equifuse
eval` (model alone) and of the upstream model (energy + forces on a prebuilt graph), with the
speed-ups over the upstream model in the same precision (and of equifuse/kk over equifuse).

    md_report.py md.jsonl [--plot md.png] > md.md
"""

import argparse
import json
from collections import defaultdict


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows")
    parser.add_argument("--plot")
    args = parser.parse_args()
    rows = [json.loads(line) for line in open(args.rows) if line.strip()]
    # A model is its family and, for md_benchmark.py --potential, the shape its rows carry.
    ms = defaultdict(dict)  # (model, precision, atoms) -> who -> ms per step
    for r in rows:
        if "ms_per_step" in r:
            model = r["family"] + (f"/{r['shape']}" if r.get("shape") else "")
            ms[(model, r["precision"], r["atoms"])][r["who"]] = r["ms_per_step"]
    kokkos = any(r.get("who") == "equifuse-kk-lammps" for r in rows)
    header = ["model", "precision", "atoms", "LAMMPS + equifuse ms/step"]
    if kokkos:
        header += ["LAMMPS + equifuse/kk ms/step", "equifuse/kk vs equifuse"]
    header += ["equifuse eval ms", "upstream ms", "fastest LAMMPS atom-steps/s", "µs/atom/step",
               "speed-up over upstream"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|" + "---:|" * (len(header) - 2))
    for (model, precision, atoms), by_who in sorted(ms.items()):
        family = model.split("/")[0]
        lammps = by_who.get("equifuse-lammps")
        kk = by_who.get("equifuse-kk-lammps")
        best = min((v for v in (lammps, kk) if v), default=None)
        upstream = by_who.get(f"{family}-upstream")
        cells = [model, precision, f"{atoms:,}", f"{lammps:.1f}" if lammps else "-"]
        if kokkos:
            cells += [f"{kk:.1f}" if kk else "-", f"{lammps / kk:.2f}x" if lammps and kk else "-"]
        cells += [f"{by_who['equifuse-eval']:.1f}" if "equifuse-eval" in by_who else "-",
                  f"{upstream:.1f}" if upstream else "-",
                  f"{atoms / best * 1e3:,.0f}" if best else "-",
                  f"{best * 1e3 / atoms:.2f}" if best else "-",
                  f"{upstream / best:.2f}x" if best and upstream else "-"]
        print("| " + " | ".join(cells) + " |")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        models = sorted({model for model, _, _ in ms})
        fig, axes = plt.subplots(1, len(models), figsize=(5.5 * len(models), 4.2), sharey=True, squeeze=False)
        for ax, model in zip(axes[0], models):
            family = model.split("/")[0]
            for who, style in (("equifuse-kk-lammps", "-D"), ("equifuse-lammps", "-o"), ("equifuse-eval", ":s"),
                               (f"{family}-upstream", "--^")):
                for precision in ("float64", "float32"):
                    points = sorted((atoms, atoms / by_who[who] * 1e3) for (m, p, atoms), by_who in ms.items()
                                    if m == model and p == precision and who in by_who)
                    if points:
                        ax.plot(*zip(*points), style, label=f"{who} {precision}", alpha=1.0 if precision == "float64" else 0.6)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("atoms")
            ax.set_title(f"Cu-Au, {model}" if "/" in model else f"Cu-Au, {family} (shipped potential)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
        axes[0][0].set_ylabel("atom-steps / s (higher is better)")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
