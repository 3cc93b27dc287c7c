#!/usr/bin/env python3
"""Energy + forces time of equifuse potentials on structure files (`equifuse eval --repeat`), for
every potential x structure x precision x device; one JSON row each. No upstream package needed
(bench/model_benchmark.py adds the upstream models where they are installed).

    model_timing.py --equifuse BIN --potentials A.eqf B.eqf --structures S1.extxyz S2.extxyz
                    --out rows.jsonl [--devices cuda cpu] [--precisions float32 float64] [--repeat 5]
"""

import argparse
import json
import os
import re
import subprocess


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--equifuse", required=True)
    parser.add_argument("--potentials", nargs="+", required=True)
    parser.add_argument("--structures", nargs="+", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--devices", nargs="+", default=["cuda"])
    parser.add_argument("--precisions", nargs="+", default=["float32", "float64"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    with open(args.out, "a") as sink:
        for potential in args.potentials:
            for structure in args.structures:
                for device in args.devices:
                    for precision in args.precisions:
                        row = {"potential": os.path.basename(potential), "structure": os.path.basename(structure),
                               "device": device, "precision": precision}
                        try:
                            run = subprocess.run([args.equifuse, "eval", potential, structure, "--quiet", "--device",
                                                  device, "--precision", precision, "--repeat", str(args.repeat)],
                                                 capture_output=True, text=True, timeout=args.timeout)
                            text = run.stdout + run.stderr
                            frame = re.search(r"frame 0: ([0-9]+) atoms, ([0-9]+) edges, energy ([-0-9.e]+) eV \(([0-9.]+) ms\)", text)
                            timing = re.search(r"timing: model ([0-9.]+) ms .*neighbour list ([0-9.]+) ms", text)
                            if frame and timing:
                                row.update({"atoms": int(frame.group(1)), "edges": int(frame.group(2)),
                                            "energy": float(frame.group(3)), "first_call_ms": float(frame.group(4)),
                                            "ms": float(timing.group(1)), "neighbour_list_ms": float(timing.group(2))})
                            else:
                                row["error"] = text.strip().splitlines()[-1] if text.strip() else f"exit {run.returncode}"
                        except subprocess.TimeoutExpired:
                            row["error"] = f"timeout after {args.timeout} s"
                        sink.write(json.dumps(row) + "\n")
                        sink.flush()
                        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
