"""Markdown tables from convolution_benchmark.py's JSON lines: per problem and structure, time
(ms) and peak GPU memory (MiB) of each implementation and direction by graph size, the largest
graph each implementation ran, and the correctness check.

  python3 bench/convolution_report.py convolution.jsonl [more.jsonl ...] > convolution.md
"""

import json
import sys
from collections import defaultdict

DIRECTIONS = ("forward", "backward", "double_backward")


def main(paths):
    rows = [json.loads(line) for p in paths for line in open(p) if line.strip().startswith("{")]
    groups = defaultdict(list)
    for r in rows:
        groups[(r["problem"], r["structure"], r["dtype"])].append(r)
    print("# Fused graph convolution benchmark\n")
    for (problem, structure, dtype), rs in sorted(groups.items()):
        impls = list(dict.fromkeys(r["implementation"] for r in rs))
        sizes = sorted({(r["edges"], r["atoms"]) for r in rs})
        print(f"## {problem}, {structure}, {dtype}\n")
        for direction in DIRECTIONS:
            print(f"### {direction}: ms per call (peak GiB)\n")
            print("| edges | atoms | " + " | ".join(impls) + " |")
            print("|---|---|" + "---|" * len(impls))
            for edges, atoms in sizes:
                cells = []
                for impl in impls:
                    hit = [r for r in rs if r["implementation"] == impl and r["edges"] == edges
                           and r.get("direction", direction) == direction]
                    if not hit:
                        cells.append("")
                        continue
                    r = hit[0]
                    if r.get("status") == "ok":
                        peak = f" ({r['peak_mib'] / 1024:.1f})" if r.get("peak_mib") else ""
                        cells.append(f"{r['ms']:.3g}{peak}")
                    else:
                        cells.append("OOM" if "memory" in r.get("status", "") else r.get("status", "")[:40])
                print(f"| {edges:,} | {atoms:,} | " + " | ".join(cells) + " |")
            print()
        print("Largest graph run (edges), per direction:\n")
        print("| implementation | " + " | ".join(DIRECTIONS) + " |")
        print("|---|---|---|---|")
        for impl in impls:
            best = []
            for direction in DIRECTIONS:
                ok = [r["edges"] for r in rs if r["implementation"] == impl and r.get("direction") == direction
                      and r.get("status") == "ok"]
                best.append(f"{max(ok):,}" if ok else "none")
            print(f"| {impl} | " + " | ".join(best) + " |")
        print()
        checked = [r for r in rs if r.get("rel_error") is not None]
        if checked:
            print("Relative error against e3nn + scatter in float64 (smallest graph); \"!\": above the "
                  "tolerance (convolution_benchmark.py --tolerance-eps):\n")
            print("| implementation | " + " | ".join(DIRECTIONS) + " |")
            print("|---|---|---|---|")
            for impl in impls:
                errs = {r["direction"]: f"{r['rel_error']:.1e}" + ("!" if r.get("check") == "fail" else "")
                        for r in checked if r["implementation"] == impl}
                print(f"| {impl} | " + " | ".join(errs.get(d, "") for d in DIRECTIONS) + " |")
            print()


if __name__ == "__main__":
    main(sys.argv[1:])
