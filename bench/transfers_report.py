#!/usr/bin/env python3
"""Markdown summary of transfers_per_step.py results: per MD step, copies between host and device
(count and bytes), device-to-device bytes, kernels, Kokkos allocations and neighbour list builds,
then for each run the copies by size and the allocations by label that recur.

    transfers_report.py transfers-*.json > transfers.md
"""

import json
import os
import re
import sys


def row_name(path):
    return re.sub(r"^transfers-|\.json$", "", os.path.basename(path))


def main():
    runs = [(row_name(p), json.load(open(p))) for p in sys.argv[1:]]
    print("| run | list builds | HtoD copies | HtoD bytes | DtoH copies | DtoH bytes | DtoD bytes "
          "| kernels | Kokkos allocations |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, result in runs:
        s = result["per_step"]
        allocations = sum(v for k, v in s.items() if k.startswith("kokkos_allocations_"))
        print(f"| {name} | {s.get('neighbor_list_builds', 0):.2f} | {s.get('htod_copies', 0):.2f} "
              f"| {s.get('htod_bytes', 0):,.0f} | {s.get('dtoh_copies', 0):.2f} "
              f"| {s.get('dtoh_bytes', 0):,.0f} | {s.get('dtod_bytes', 0):,.0f} "
              f"| {s.get('kernels', 0):.1f} | {allocations:.2f} |")
    print("\nPer step, by size (copies) and label (allocations); fractions recur less than once a "
          "step, negative ones are copies whose size changed between the two runs.\n")
    for name, result in runs:
        items = [f"{k.replace('_copies_of_', ' ').replace('_bytes', ' B').replace('kokkos_allocations_in_', 'alloc ')}: {v:+.2f}"
                 for k, v in result["per_step"].items() if "_of_" in k and abs(v) > 1e-9]
        print(f"- {name}: " + ("; ".join(items) if items else "none"))


if __name__ == "__main__":
    main()
