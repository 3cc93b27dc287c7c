#!/usr/bin/env python3
"""Markdown report and plot of one benchmark run.

Inputs: --model FILE, the JSON lines of equifuse_tp_benchmark (C++ API timings, with the FLOP and
byte model of bench/README.md), and any number of JSON-line files of peer_benchmark.py or
e3nn_benchmark.py (one line per implementation, problem, dtype and direction). Speed-ups are
peer time / equifuse time, equifuse timed the same way as the peer (through PyTorch) when the
peer files hold an "equifuse" implementation, else the C++ timing. FLOP/s, bytes/s and the
roofline column use the C++ timing (kernels alone). A peer row whose correctness check failed
("check": "fail", rel_error above its tolerance) is shown with "!" and kept out of speed-ups.

Roofline peaks: --device-peaks h100 (default, the committed H100 results: 67 / 34 TFLOP/s
non-tensor float32 / float64, 3.0 TB/s measured device-to-device copy) or h200 (same FLOP peaks;
4.8 TB/s, the vendor's HBM3e figure; --bandwidth h200-measured gives ~4.3 TB/s, a measured
device-to-device copy). --peak-fp32-tflops, --peak-fp64-tflops and --bandwidth-tbs override
any of them. The peaks used are printed above the table.
"""

import argparse
import json
from collections import defaultdict

TARGET_PROBLEMS = ("mace-", "nequip-")
# (fp32 TFLOP/s, fp64 TFLOP/s, TB/s, what the bandwidth is)
DEVICE_PEAKS = {
    "h100": (67.0, 34.0, 3.0, "H100 SXM non-tensor peaks; 3.0 TB/s measured device-to-device copy"),
    "h200": (67.0, 34.0, 4.8, "H200 SXM non-tensor peaks (as H100); 4.8 TB/s vendor HBM3e bandwidth"),
    "h200-measured": (67.0, 34.0, 4.3, "H200 SXM non-tensor peaks (as H100); ~4.3 TB/s measured device-to-device copy"),
}


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def fmt_ms(ms):
    return f"{ms:.3f}" if ms is not None else "n/a"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="equifuse_tp_benchmark JSON lines")
    p.add_argument("peers", nargs="*", help="peer_benchmark.py / e3nn_benchmark.py JSON lines")
    p.add_argument("--device-peaks", choices=sorted(DEVICE_PEAKS), default="h100",
                   help="roofline peaks of this device (default h100, the committed results)")
    p.add_argument("--peak-fp32-tflops", type=float, help="override the device's float32 peak")
    p.add_argument("--peak-fp64-tflops", type=float, help="override the device's float64 peak")
    p.add_argument("--bandwidth-tbs", type=float, help="override the device's bandwidth")
    p.add_argument("--plot")
    a = p.parse_args()
    fp32, fp64, bw, about = DEVICE_PEAKS[a.device_peaks]
    a.peak_fp32_tflops = a.peak_fp32_tflops or fp32
    a.peak_fp64_tflops = a.peak_fp64_tflops or fp64
    overridden = a.bandwidth_tbs is not None
    a.bandwidth_tbs = a.bandwidth_tbs or bw
    device_label = a.device_peaks.split("-")[0].upper()

    model = {(r["problem"], r["dtype"], r["direction"]): r for r in read_lines(a.model)}
    times, errors, status, batches, failed = (defaultdict(dict), defaultdict(dict), defaultdict(dict),
                                              defaultdict(dict), defaultdict(dict))
    names = []
    for path in a.peers:
        for r in read_lines(path):
            key = (r["problem"], r["dtype"], r["direction"])
            name = r["implementation"]
            times[name][key] = r.get("ms")
            errors[name][key] = r.get("rel_error")
            status[name][key] = r.get("status", "ok")
            batches[name][key] = r.get("batch")
            failed[name][key] = r.get("check") == "fail"
            if name not in names:
                names.append(name)
    peers = [n for n in names if n != "equifuse"]

    def ours(key, batch=None):
        """equifuse through PyTorch, else the C++ time when it ran the same batch (or batch unknown)."""
        t = times["equifuse"].get(key)
        if t is not None and not failed["equifuse"].get(key):
            return t
        r = model.get(key)
        if r is None or (batch is not None and r.get("batch") is not None and r["batch"] != batch):
            return None
        return r["ms"]

    def speedup(name, key):
        if failed[name].get(key):
            return None
        t, o = times[name].get(key), ours(key, batches[name].get(key))
        return t / o if t is not None and o else None

    def cell_ms(name, key):
        return fmt_ms(times[name].get(key)) + ("!" if failed[name].get(key) else "")

    print(f"Roofline peaks: {a.device_peaks} ({about}): {a.peak_fp32_tflops:g} TFLOP/s float32, "
          f"{a.peak_fp64_tflops:g} TFLOP/s float64, {a.bandwidth_tbs:g} TB/s"
          + (" (bandwidth overridden)" if overridden else "") + ". The roofline column is the fraction of "
          f"this {device_label} roofline that equifuse's C++ timing reaches.\n")

    print("## Time per call and speed-up (peer time / equifuse time)\n")
    header = ["problem", "dtype", "direction", "equifuse ms", "equifuse C++ ms"]
    for n in peers:
        header += [f"{n} ms", f"vs {n}"]
    header += ["TFLOP/s", "TB/s", "roofline"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for key, r in model.items():
        s = r["ms"] / 1e3
        peak = a.peak_fp64_tflops if r["dtype"] == "float64" else a.peak_fp32_tflops
        floor = max(r["flops"] / (peak * 1e12), r["bytes"] / (a.bandwidth_tbs * 1e12))
        cells = [*key, fmt_ms(times["equifuse"].get(key) if times["equifuse"].get(key) is not None else r["ms"]),
                 fmt_ms(r["ms"])]
        for n in peers:
            x = speedup(n, key)
            cells += [cell_ms(n, key), f"{x:.2f}x" if x else "n/a"]
        cells += [f"{r['flops'] / s / 1e12:.2f}", f"{r['bytes'] / s / 1e12:.2f}", f"{floor / s:.0%}"]
        print("| " + " | ".join(cells) + " |")

    print("\n## Correctness: largest relative error against the CPU float64 reference\n")
    print("max |a - ref| / max |ref| over the outputs of the direction, on the checked rows, in the "
          "implementation's dtype; \"!\" marks an error above the row's tolerance (peer_benchmark.py "
          "--tolerance-eps machine epsilons); a direction that could not run shows its status.\n")
    print("| implementation | problem | dtype | forward | backward | double backward |")
    print("|---|---|---|---|---|---|")
    seen = sorted({(k[0], k[1]) for n in names for k in times[n]}, key=lambda k: (k[1], k[0]))
    for n in names:
        for problem, dtype in seen:
            cells = []
            for d in ("forward", "backward", "double_backward"):
                key = (problem, dtype, d)
                e, st = errors[n].get(key), status[n].get(key)
                cells.append(f"{e:.1e}" + ("!" if failed[n].get(key) else "") if e is not None
                             else (st or "n/a")[:60])
            print(f"| {n} | {problem} | {dtype} | " + " | ".join(cells) + " |")

    print("\n## Targets on the MACE and NequIP problems (float32): smallest speed-up per peer\n")
    print("| peer | forward | backward | double backward |")
    print("|---|---|---|---|")
    for n in peers:
        cells = []
        for d in ("forward", "backward", "double_backward"):
            xs = [(speedup(n, k), k[0]) for k in model if k[1] == "float32" and k[2] == d
                  and k[0].startswith(TARGET_PROBLEMS) and speedup(n, k)]
            cells.append(f"{min(xs)[0]:.2f}x ({min(xs)[1]})" if xs else "n/a")
        print(f"| {n} | " + " | ".join(cells) + " |")

    if a.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = [k for k in model if k[1] == "float32"]
        fig, axes = plt.subplots(1, 3, figsize=(20, 7))
        for ax, d in zip(axes, ("forward", "backward", "double_backward")):
            rows = [k for k in keys if k[2] == d]
            width = 0.8 / max(1, len(peers))
            for i, n in enumerate(peers):
                ax.barh([j + i * width for j in range(len(rows))], [speedup(n, k) or 0 for k in rows],
                        width, label=f"vs {n}")
            ax.axvline(1.0, color="k", lw=0.8)
            ax.set_yticks([j + 0.4 - width / 2 for j in range(len(rows))])
            ax.set_yticklabels([k[0] for k in rows])
            ax.set_xscale("log")
            ax.set_xlabel("speed-up of equifuse (peer time / equifuse time)")
            ax.set_title(f"{d}, float32, {device_label}")
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.plot, dpi=110)


if __name__ == "__main__":
    main()
