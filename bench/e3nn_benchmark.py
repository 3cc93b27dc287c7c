#!/usr/bin/env python3
"""Times e3nn on the problems of bench/problems.json on the GPU (same FLOP-free JSON lines as
equifuse_tp_benchmark: problem, dtype, direction, batch, ms). Double backward is what a training
step with a force loss runs after the forward: backward with create_graph, then the gradient of
<gg, grads> with respect to x, y, w and grad_out."""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python", "equifuse_reference"))
from e3nn_problems import e3nn_module  # noqa: E402


def median_ms(fn, repeat):
    for _ in range(2):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", default=os.path.join(os.path.dirname(__file__), "problems.json"))
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--name", action="append")
    args = parser.parse_args()
    spec = json.load(open(args.problems))
    batch = args.batch or spec["batch"]
    dtype = getattr(torch, args.dtype)
    for entry in spec["problems"]:
        if args.name and entry["name"] not in args.name:
            continue
        tp, shared = e3nn_module(entry)
        tp = tp.to("cuda", dtype)
        n1, n2, n3, nw = tp.irreps_in1.dim, tp.irreps_in2.dim, tp.irreps_out.dim, tp.weight_numel

        def rand(*shape):
            return torch.randn(*shape, device="cuda", dtype=dtype, requires_grad=True)

        wshape = (nw,) if shared else (batch, nw)
        x, y, w, g = rand(batch, n1), rand(batch, n2), rand(*wshape), rand(batch, n3)
        ggx, ggy, ggw = rand(batch, n1), rand(batch, n2), rand(*wshape)

        def forward():
            with torch.no_grad():
                tp(x, y, w)

        def backward():
            out = tp(x, y, w)
            torch.autograd.grad(out, [x, y, w], g)

        def double_backward():
            out = tp(x, y, w)
            gx, gy, gw = torch.autograd.grad(out, [x, y, w], g, create_graph=True)
            loss = (gx * ggx).sum() + (gy * ggy).sum() + (gw * ggw).sum()
            torch.autograd.grad(loss, [x, y, w, g])

        for direction, fn in [("forward", forward), ("backward", backward), ("double_backward", double_backward)]:
            try:
                ms = median_ms(fn, args.repeat)
            except torch.cuda.OutOfMemoryError:
                ms = None
                torch.cuda.empty_cache()
            print(json.dumps({"problem": entry["name"], "dtype": args.dtype, "direction": direction,
                              "batch": batch, "ms": ms, "implementation": "e3nn"}), flush=True)
        del tp, x, y, w, g, ggx, ggy, ggw
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
