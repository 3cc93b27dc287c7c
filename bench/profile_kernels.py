#!/usr/bin/env python3
"""Runs one problem's forward and backward on one implementation between cudaProfilerStart and
cudaProfilerStop, for Nsight Compute:

  ncu --profile-from-start off --section SpeedOfLight --section Occupancy --section LaunchStats \\
      python3 bench/profile_kernels.py --implementation openequivariance --name mace-large

Only the timed kernels are profiled (set-up, JIT compilation and warm-up run before the start).
"""

import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import peer_benchmark  # noqa: E402
import peers  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--implementation", default="equifuse", choices=peer_benchmark.IMPLEMENTATIONS)
    parser.add_argument("--name", default="mace-large")
    parser.add_argument("--batch", type=int, default=50000)
    parser.add_argument("--dtype", default="float32")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    dtype = getattr(torch, args.dtype)
    _, problems = peer_benchmark.load_problems(os.path.join(HERE, "problems.json"))
    problem = next(p for p in problems if p.name == args.name)
    adapter = peers.make(args.implementation, problem, dtype)
    from e3nn import o3

    numel = o3.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out, problem.instructions,
                             shared_weights=problem.shared_weights, internal_weights=False).weight_numel
    opts = {"device": "cuda", "dtype": dtype}
    x = adapter.to_layout(torch.randn(args.batch, problem.irreps_in1.dim, **opts), "in1").requires_grad_(True)
    y = adapter.to_layout(torch.randn(args.batch, problem.irreps_in2.dim, **opts), "in2").requires_grad_(True)
    w = adapter.weights_in(torch.randn(*peer_benchmark.weight_shape(problem, args.batch, numel), **opts))
    w.requires_grad_(True)
    g = adapter.to_layout(torch.randn(args.batch, problem.irreps_out.dim, **opts), "out")
    for _ in range(2):  # warm-up: compilation, allocator
        out = adapter(x, y, w)
        torch.autograd.grad(out, (x, y, w), g)
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStart()
    with torch.no_grad():
        adapter(x, y, w)
    out = adapter(x, y, w)
    torch.autograd.grad(out, (x, y, w), g)
    torch.cuda.synchronize()
    torch.cuda.cudart().cudaProfilerStop()


if __name__ == "__main__":
    main()
