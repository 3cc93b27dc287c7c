#!/usr/bin/env python3
"""equifuse against its peers on every problem of bench/problems.json, in one process on one GPU.

For each problem, dtype and implementation (equifuse through its PyTorch ops, e3nn,
OpenEquivariance, cuEquivariance in e3nn's and in its own layout):
  1. correctness: forward, backward and double backward on --check-rows rows against equifuse's
     CPU float64 backend (itself verified against e3nn), as the largest relative error
     max|a - ref| / max|ref| over the outputs of each direction;
  2. timing at --batch rows (median_ms): each direction alone. Forward runs without autograd;
     backward is torch.autograd.grad(out, (x, y, W), g) on a graph built beforehand; double
     backward is the second step of a force loss: the gradient of the backward's results
     (built beforehand with create_graph) with cotangents (ggx, ggy, ggW) with respect to x, y,
     W and g.
Writes one JSON line per (implementation, problem, dtype, direction): ms (null when out of memory
or not run), rel_error, status.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "equifuse_reference"))
sys.path.insert(0, HERE)

from e3nn import o3  # noqa: E402
from e3nn_problems import channelwise_instructions  # noqa: E402

import peers  # noqa: E402

DIRECTIONS = ("forward", "backward", "double_backward")
IMPLEMENTATIONS = ("equifuse", "e3nn", "openequivariance", "cuequivariance-ir_mul", "cuequivariance-mul_ir")


@dataclass
class Problem:
    name: str
    irreps_in1: o3.Irreps
    irreps_in2: o3.Irreps
    irreps_out: o3.Irreps
    instructions: list
    shared_weights: bool
    kind: str  # "channelwise" (MACE's uvu construction) or "fully_connected" (uvw)
    out_filter: str = ""


def load_problems(path):
    spec = json.load(open(path))
    problems = []
    for entry in spec["problems"]:
        in1, in2 = o3.Irreps(entry["in1"]), o3.Irreps(entry["in2"])
        if entry["mode"] == "uvu":
            out, instructions = channelwise_instructions(in1, in2, o3.Irreps(entry["out_filter"]))
            problems.append(Problem(entry["name"], in1, in2, out, instructions,
                                    entry.get("weights", "per-sample") == "shared", "channelwise",
                                    entry["out_filter"]))
        else:
            out = o3.Irreps(entry["out"])
            instructions = [(i1, i2, io, "uvw", True)
                            for i1, (_, ir1) in enumerate(in1) for i2, (_, ir2) in enumerate(in2)
                            for io, (_, ir_out) in enumerate(out) if ir_out in ir1 * ir2]
            problems.append(Problem(entry["name"], in1, in2, out, instructions,
                                    entry.get("weights", "shared") == "shared", "fully_connected"))
    return spec["batch"], problems


def weight_shape(problem, rows, numel):
    return (numel,) if problem.shared_weights else (rows, numel)


def run_directions(call, x, y, w, g, ggx, ggy, ggw):
    """(out, (gx, gy, gw), (dx, dy, dw, dg)) of one implementation, all on its own layout."""
    out = call(x, y, w)
    gx, gy, gw = torch.autograd.grad(out, (x, y, w), g, create_graph=True)
    second = torch.autograd.grad((gx, gy, gw), (x, y, w, g), (ggx, ggy, ggw))
    return out.detach(), (gx.detach(), gy.detach(), gw.detach()), second


def reference(problem, inputs):
    import equifuse_torch

    module = equifuse_torch.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                          problem.instructions, shared_weights=problem.shared_weights,
                                          internal_weights=False).double()
    leaves = [t.clone().requires_grad_(True) for t in inputs[:4]]
    return run_directions(module, *leaves, *inputs[4:])


def relative_error(a, b):
    return ((a.double().cpu() - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def check(adapter, problem, dtype, inputs, expected):
    """Largest relative error per direction of `adapter` against `expected`."""
    x, y, w, g, ggx, ggy, ggw = inputs
    to = lambda t, operand=None: (adapter.to_layout(t, operand) if operand else t).to(peers.DEVICE, dtype)  # noqa: E731
    leaves = [to(x, "in1").requires_grad_(True), to(y, "in2").requires_grad_(True),
              adapter.weights_in(to(w)).detach().requires_grad_(True), to(g, "out").requires_grad_(True)]
    out, (gx, gy, gw), (dx, dy, dw, dg) = run_directions(
        adapter, *leaves, to(ggx, "in1"), to(ggy, "in2"), adapter.weights_in(to(ggw)))
    back = adapter.from_layout
    got = {
        "forward": [back(out, "out")],
        "backward": [back(gx, "in1"), back(gy, "in2"), adapter.grad_weights_out(gw)],
        "double_backward": [back(dx, "in1"), back(dy, "in2"), adapter.grad_weights_out(dw), back(dg, "out")],
    }
    want = {"forward": [expected[0]], "backward": list(expected[1]), "double_backward": list(expected[2])}
    return {d: max(relative_error(a, b) for a, b in zip(got[d], want[d])) for d in DIRECTIONS}


def synchronize():
    if peers.DEVICE == "cuda":
        torch.cuda.synchronize()


def median_ms(fn, repeat):
    """Median over `repeat` samples of the time per call, each sample `calls` back-to-back calls
    between two CUDA events (calls chosen so a sample lasts about 20 ms): the throughput a model
    sees when the GPU runs ahead of Python, the same for every implementation."""
    fn()
    synchronize()
    start = time.perf_counter()
    fn()
    synchronize()
    single = time.perf_counter() - start
    calls = max(1, min(50, int(0.02 / max(single, 1e-6))))
    if single > 0.2:  # slow peers: fewer samples keep the run bounded
        repeat = 3
    times = []
    for _ in range(repeat):
        if peers.DEVICE != "cuda":  # --device cpu is a smoke test of this script
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1e3)
            continue
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(calls):
            fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b) / calls)
    return sorted(times)[len(times) // 2]


def time_directions(adapter, problem, dtype, batch, repeat, numel):
    gen = torch.Generator(device=peers.DEVICE).manual_seed(1)

    def rand(rows, operand_dim, operand=None):
        t = torch.randn(rows, operand_dim, device=peers.DEVICE, dtype=dtype, generator=gen)
        return adapter.to_layout(t, operand) if operand else t

    def leaf(t):
        return t.detach().requires_grad_(True)

    x, y = leaf(rand(batch, problem.irreps_in1.dim, "in1")), leaf(rand(batch, problem.irreps_in2.dim, "in2"))
    wraw = torch.randn(*weight_shape(problem, batch, numel), device=peers.DEVICE, dtype=dtype, generator=gen)
    w = leaf(adapter.weights_in(wraw))
    g = leaf(rand(batch, problem.irreps_out.dim, "out"))
    ggx, ggy = rand(batch, problem.irreps_in1.dim, "in1"), rand(batch, problem.irreps_in2.dim, "in2")
    ggw = adapter.weights_in(torch.randn_like(wraw))

    # Each direction is timed alone: the graph it differentiates is built once, outside the timing.
    graph = {}

    def forward():
        with torch.no_grad():
            adapter(x, y, w)

    def backward():
        if "out" not in graph:
            graph["out"] = adapter(x, y, w)
        torch.autograd.grad(graph["out"], (x, y, w), g, retain_graph=True)

    def double_backward():
        if "grads" not in graph:
            graph["grads"] = torch.autograd.grad(adapter(x, y, w), (x, y, w), g, create_graph=True)
        torch.autograd.grad(graph["grads"], (x, y, w, g), (ggx, ggy, ggw), retain_graph=True)

    results = {}
    for direction, fn in zip(DIRECTIONS, (forward, backward, double_backward)):
        graph.clear()
        try:
            results[direction] = (median_ms(fn, repeat), "ok")
        except torch.cuda.OutOfMemoryError if hasattr(torch.cuda, "OutOfMemoryError") else MemoryError:
            results[direction] = (None, "out of memory")
        except Exception as exc:  # noqa: BLE001 - a peer failing a direction is a result
            results[direction] = (None, f"error: {type(exc).__name__}: {str(exc)[:200]}")
        graph.clear()
        if peers.DEVICE == "cuda":
            torch.cuda.empty_cache()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", default=os.path.join(HERE, "problems.json"))
    parser.add_argument("--batch", type=int, default=0, help="rows to time (default: the set's batch)")
    parser.add_argument("--check-rows", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--dtype", action="append", choices=["float32", "float64"])
    parser.add_argument("--implementation", action="append", choices=IMPLEMENTATIONS)
    parser.add_argument("--name", action="append", help="only these problems")
    parser.add_argument("--skip", action="append", default=[], help="not these problems")
    parser.add_argument("--device", default="cuda", help="cpu: a smoke test of this script, no timings worth keeping")
    args = parser.parse_args()
    peers.DEVICE = args.device
    # e3nn builds its Wigner 3j tables in the default dtype: float64 keeps its float64 runs exact.
    torch.set_default_dtype(torch.float64)
    default_batch, problems = load_problems(args.problems)
    batch = args.batch or default_batch
    for problem in problems:
        if (args.name and problem.name not in args.name) or problem.name in args.skip:
            continue
        numel = o3.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                 problem.instructions, shared_weights=problem.shared_weights,
                                 internal_weights=False).weight_numel
        gen = torch.Generator().manual_seed(0)
        rows = args.check_rows
        rand = lambda *shape: torch.randn(*shape, dtype=torch.float64, generator=gen)  # noqa: E731
        inputs = [rand(rows, problem.irreps_in1.dim), rand(rows, problem.irreps_in2.dim),
                  rand(*weight_shape(problem, rows, numel)), rand(rows, problem.irreps_out.dim),
                  rand(rows, problem.irreps_in1.dim), rand(rows, problem.irreps_in2.dim),
                  rand(*weight_shape(problem, rows, numel))]
        expected = reference(problem, inputs)
        for dtype_name in args.dtype or ["float32", "float64"]:
            dtype = getattr(torch, dtype_name)
            for name in args.implementation or IMPLEMENTATIONS:
                record = {"implementation": name, "problem": problem.name, "dtype": dtype_name, "batch": batch}
                try:
                    adapter = peers.make(name, problem, dtype)
                    errors = check(adapter, problem, dtype, inputs, expected)
                    timings = time_directions(adapter, problem, dtype, batch, args.repeat, numel)
                except (peers.PeerUnavailable, peers.ProblemUnsupported) as exc:
                    status = f"{'unavailable' if isinstance(exc, peers.PeerUnavailable) else 'unsupported'}: {exc}"
                    errors, timings = {}, {d: (None, status[:300]) for d in DIRECTIONS}
                except Exception as exc:  # noqa: BLE001
                    errors, timings = {}, {d: (None, f"error: {type(exc).__name__}: {str(exc)[:300]}") for d in DIRECTIONS}
                for direction in DIRECTIONS:
                    ms, status = timings[direction]
                    print(json.dumps({**record, "direction": direction, "ms": ms,
                                      "rel_error": errors.get(direction), "status": status}), flush=True)
                adapter = None
                if peers.DEVICE == "cuda":
                    torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
