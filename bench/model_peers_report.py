#!/usr/bin/env python3
"""Tables (markdown) and plot of model_benchmark.py's GPU rows: energy + forces time and peak
memory of equifuse and of every upstream configuration, equifuse's speed-up over the fastest peer
in the same precision, and the largest system each fits on the GPU.

    model_peers_report.py model-peers.jsonl [--gpu-mib 81559] [--plot model-peers.png] > table.md

Rows are grouped by model: the family and, for a foundation architecture (model_benchmark.py
--shape), its shape (mace/mh1, nequip/nequip-oam-l); peers are whatever `who` values the rows
have (mace-upstream, mace-upstream-cuequivariance, mace-fastmace, nequip-upstream-...).

Largest system: peak memory grows linearly with the atoms of a structure kind (edges per atom are
fixed by the density), so the line through the two largest sizes measured, extended to the GPU's
memory, estimates how many atoms fit. It is an estimate: allocator fragmentation or one large
temporary may stop a run somewhat earlier.
"""

import argparse
import json
from collections import defaultdict


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def model_name(row):
    """The family, and the foundation shape when there is one (mace/mh1, nequip/nequip-oam-l):
    rows of different architectures are never compared with each other."""
    shape = row.get("shape")
    return f"{row['family']}/{shape}" if shape else row["family"]


def largest_system(points, gpu_mib):
    """Atoms at which the line through the two largest (atoms, MiB) points reaches gpu_mib."""
    points = sorted(points)[-2:]
    if len(points) < 2:
        return None
    (a0, m0), (a1, m1) = points
    slope = (m1 - m0) / (a1 - a0)
    return None if slope <= 0 else a1 + (gpu_mib - m1) / slope


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows")
    parser.add_argument("--gpu-mib", type=float, default=81559.0, help="the GPU's memory (nvidia-smi memory.total)")
    parser.add_argument("--plot")
    args = parser.parse_args()
    rows = [json.loads(line) for line in open(args.rows) if line.strip()]
    result = defaultdict(dict)  # (model, system, precision, atoms) -> who -> row
    for r in rows:
        result[(model_name(r), r["system"], r["precision"], r["atoms"])][r["who"]] = r

    print("Time in ms (peak memory in GiB); speed-up = fastest peer's time / equifuse's, same precision.\n")
    for family in sorted({k[0] for k in result}):
        peers = sorted({who for k, by_who in result.items() if k[0] == family for who in by_who} - {"equifuse"})
        print(f"### {family}\n")
        apis = sorted({r["api"] for k, by_who in result.items() if k[0] == family for r in by_who.values()
                       if "api" in r})
        if apis:
            print("Timed FastMACE call: " + ", ".join(apis) + "\n")
        print("| system | precision | atoms | equifuse | " + " | ".join(peers) + " | speed-up over fastest peer |")
        print("|---|---|---:|---:|" + "---:|" * len(peers) + "---:|")
        for (f, system, precision, atoms), by_who in sorted(result.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3])):
            if f != family:
                continue

            def cell(who):
                r = by_who.get(who)
                if r is None:
                    return "-"
                if "ms" not in r:
                    return "OOM" if "out of memory" in r.get("error", "").lower() else "fails"
                memory = f" ({r['peak_mib'] / 1024:.1f})" if "peak_mib" in r else ""
                return f"{r['ms']:.1f}{memory}"

            peer_ms = [by_who[w]["ms"] for w in peers if "ms" in by_who.get(w, {})]
            ours = by_who.get("equifuse", {}).get("ms")
            speedup = f"{min(peer_ms) / ours:.2f}x" if ours and peer_ms else "-"
            print(f"| {system} | {precision} | {atoms:,} | {cell('equifuse')} | "
                  + " | ".join(cell(w) for w in peers) + f" | {speedup} |")
        print()

    print(f"### Largest system on one {args.gpu_mib / 1024:.0f} GiB GPU (estimated, atoms)\n")
    print("| model | system | precision | who | atoms | equifuse / this |")
    print("|---|---|---|---|---:|---:|")
    memory = defaultdict(list)  # (model, system, precision, who) -> [(atoms, MiB)]
    for (family, system, precision, atoms), by_who in result.items():
        for who, r in by_who.items():
            if "peak_mib" in r:
                memory[(family, system, precision, who)].append((atoms, r["peak_mib"]))
    for (family, system, precision, who), points in sorted(memory.items()):
        atoms = largest_system(points, args.gpu_mib)
        ours = largest_system(memory.get((family, system, precision, "equifuse"), []), args.gpu_mib)
        ratio = f"{ours / atoms:.2f}" if atoms and ours else "-"
        print(f"| {family} | {system} | {precision} | {who} | {fmt(atoms, ',.0f')} | {ratio} |")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        families = sorted({k[0] for k in result})
        fig, axes = plt.subplots(1, len(families), figsize=(5.5 * len(families), 4.2), squeeze=False)
        for ax, family in zip(axes[0], families):
            whos = sorted({w for k, by_who in result.items() if k[0] == family for w in by_who})
            for who in whos:
                points = sorted((k[3], by_who[who]["ms"]) for k, by_who in result.items()
                                if k[0] == family and k[1] == "fcc-Cu" and k[2] == "float32"
                                and "ms" in by_who.get(who, {}))
                if points:
                    ax.plot(*zip(*points), "-o" if who == "equifuse" else "--^", label=who)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("atoms (fcc Cu)")
            ax.set_title(f"{family}, float32, energy + forces")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
        axes[0][0].set_ylabel("ms per evaluation (lower is better)")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
