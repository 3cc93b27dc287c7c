#!/usr/bin/env python3
"""Joins benchmark JSON lines (equifuse_tp_benchmark and e3nn_benchmark.py output) into a
markdown table and a plot: time per call, speed-up over each peer, achieved FLOP/s and bytes/s,
and the fraction of the roofline reached (FLOP and byte model in bench/README.md)."""

import argparse
import json
from collections import defaultdict


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ours")
    p.add_argument("peers", nargs="*")
    p.add_argument("--peak-fp32-tflops", type=float, default=67.0)  # H100 SXM, non-tensor FP32
    p.add_argument("--peak-fp64-tflops", type=float, default=34.0)  # H100 SXM, non-tensor FP64
    p.add_argument("--bandwidth-tbs", type=float, default=3.0)      # measured device-to-device copy
    p.add_argument("--plot")
    a = p.parse_args()
    ours = [json.loads(l) for l in open(a.ours) if l.startswith("{")]
    peers = defaultdict(dict)
    names = []
    for f in a.peers:
        for l in open(f):
            if l.startswith("{"):
                r = json.loads(l)
                peers[r["implementation"]][(r["problem"], r["dtype"], r["direction"])] = r["ms"]
                if r["implementation"] not in names:
                    names.append(r["implementation"])
    header = "| problem | dtype | direction | equifuse ms | " + " | ".join(f"{n} ms | speed-up vs {n}" for n in names)
    header += " | TFLOP/s | TB/s | roofline |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    rows = []
    for r in ours:
        key = (r["problem"], r["dtype"], r["direction"])
        s = r["ms"] / 1e3
        tflops, tbs = r["flops"] / s / 1e12, r["bytes"] / s / 1e12
        peak = a.peak_fp64_tflops if r["dtype"] == "float64" else a.peak_fp32_tflops
        floor = max(r["flops"] / (peak * 1e12), r["bytes"] / (a.bandwidth_tbs * 1e12))
        cells = [r["problem"], r["dtype"], r["direction"], f"{r['ms']:.3f}"]
        for n in names:
            pm = peers[n].get(key)
            cells += [f"{pm:.3f}" if pm else "n/a", f"{pm / r['ms']:.2f}x" if pm else "n/a"]
        cells += [f"{tflops:.2f}", f"{tbs:.2f}", f"{floor / s:.0%}"]
        print("| " + " | ".join(cells) + " |")
        rows.append((key, r["ms"], {n: peers[n].get(key) for n in names}))
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        sel = [r for r in rows if r[0][1] == "float32"]
        fig, axes = plt.subplots(1, 3, figsize=(18, 6), sharey=False)
        for ax, direction in zip(axes, ["forward", "backward", "double_backward"]):
            d = [r for r in sel if r[0][2] == direction]
            labels = [r[0][0] for r in d]
            for n in names:
                ax.barh([i + 0.2 for i in range(len(d))], [(r[2][n] or 0) / r[1] for r in d], 0.4, label=f"speed-up vs {n}")
            ax.axvline(1.0, color="k", lw=0.8)
            ax.set_yticks(range(len(d)))
            ax.set_yticklabels(labels)
            ax.set_xscale("log")
            ax.set_title(f"{direction}, float32")
            ax.legend()
        fig.tight_layout()
        fig.savefig(a.plot, dpi=120)


if __name__ == "__main__":
    main()
