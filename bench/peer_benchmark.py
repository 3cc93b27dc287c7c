#!/usr/bin/env python3
"""equifuse against its peers on every problem of a problem set, in one process on one GPU.

Problem sets: --problem-set project (bench/problems.json, the default) or oeq
(bench/oeq_problems.json: OpenEquivariance's published uvu/uvw/roofline problems with their batch
sizes, double backward at its own batch); --problems FILE for any other file of that format.

For each problem, dtype and implementation (equifuse through its PyTorch ops, e3nn,
OpenEquivariance, cuEquivariance in e3nn's and in its own layout):
  1. correctness: forward, backward and double backward on --check-rows rows against equifuse's
     CPU float64 backend (itself verified against e3nn; e3nn in float64 when equifuse_torch is not
     importable), as the largest relative error max|a - ref| / max|ref| over the outputs of each
     direction, in the implementation's dtype; it passes when at most --tolerance-eps machine
     epsilons of that dtype (default 1000: 1.2e-4 float32, 2.2e-13 float64; the H100 runs
     measured <= 4e-6 and <= 5e-15). A direction that fails the check is still timed but marked
     ("check": "fail") and kept out of speed-ups by report.py; one that raises is reported as
     unavailable with the reason and not timed; the others still run;
  2. timing at --batch rows (median_ms): each direction alone. Forward runs without autograd;
     backward is torch.autograd.grad(out, (x, y, W), g) on a graph built beforehand; double
     backward is the second step of a force loss: the gradient of the backward's results
     (built beforehand with create_graph) with cotangents (ggx, ggy, ggW) with respect to x, y,
     W and g.
Writes one JSON line per (implementation, problem, dtype, direction): ms (null when out of memory
or not run), batch, rel_error, tolerance, check, status and what the adapter reports (e.g. the
kernel method cuEquivariance chose).
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
PROBLEM_SETS = {"project": "problems.json", "oeq": "oeq_problems.json"}
EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52}


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
    batch: dict = None  # direction -> rows to time (the set's, or what the entry says)


def load_problems(path):
    """(set batch, [Problem]); each problem's `batch` maps direction -> rows: the entry's "batch"
    or the set's, and for double backward "batch_double_backward" (entry, then set) if given."""
    spec = json.load(open(path))
    problems = []
    for entry in spec["problems"]:
        in1, in2 = o3.Irreps(entry["in1"]), o3.Irreps(entry["in2"])
        rows = entry.get("batch", spec["batch"])
        batch = {"forward": rows, "backward": rows,
                 "double_backward": entry.get("batch_double_backward", spec.get("batch_double_backward", rows))}
        if entry["mode"] == "uvu":
            out, instructions = channelwise_instructions(in1, in2, o3.Irreps(entry["out_filter"]))
            problems.append(Problem(entry["name"], in1, in2, out, instructions,
                                    entry.get("weights", "per-sample") == "shared", "channelwise",
                                    entry["out_filter"], batch))
        elif entry["mode"] == "uvw":
            out = o3.Irreps(entry["out"])
            instructions = [(i1, i2, io, "uvw", True)
                            for i1, (_, ir1) in enumerate(in1) for i2, (_, ir2) in enumerate(in2)
                            for io, (_, ir_out) in enumerate(out) if ir_out in ir1 * ir2]
            problems.append(Problem(entry["name"], in1, in2, out, instructions,
                                    entry.get("weights", "shared") == "shared", "fully_connected", "", batch))
        else:
            raise ValueError(f"{path}: problem {entry['name']}: mode {entry['mode']!r} is neither uvu nor uvw")
    return spec["batch"], problems


def weight_shape(problem, rows, numel):
    return (numel,) if problem.shared_weights else (rows, numel)


def run_directions(call, x, y, w, g, ggx, ggy, ggw):
    """(out, (gx, gy, gw), (dx, dy, dw, dg)) of one implementation, all on its own layout."""
    out = call(x, y, w)
    gx, gy, gw = torch.autograd.grad(out, (x, y, w), g, create_graph=True)
    second = torch.autograd.grad((gx, gy, gw), (x, y, w, g), (ggx, ggy, ggw))
    return out.detach(), (gx.detach(), gy.detach(), gw.detach()), second


REFERENCE = {}  # which reference ran: "equifuse" (CPU float64 backend) or "e3nn" (float64)


def reference(problem, inputs):
    try:
        import equifuse_torch

        module = equifuse_torch.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                              problem.instructions, shared_weights=problem.shared_weights,
                                              internal_weights=False).double()
        REFERENCE["name"] = "equifuse-cpu-float64"
    except ImportError as exc:
        if "name" not in REFERENCE:
            print(f"# equifuse_torch not importable ({exc}): e3nn in float64 is the reference", file=sys.stderr)
        module = o3.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                  problem.instructions, shared_weights=problem.shared_weights,
                                  internal_weights=False).double()
        REFERENCE["name"] = "e3nn-cpu-float64"
    leaves = [t.clone().requires_grad_(True) for t in inputs[:4]]
    return run_directions(module, *leaves, *inputs[4:])


def relative_error(a, b):
    return ((a.double().cpu() - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def check_directions(adapter, leaves, cotangents, expected, directions=DIRECTIONS):
    """{direction: (rel_error, None) or (None, reason)} of `adapter` against `expected`
    (out, (gx, gy, gw), (dx, dy, dw, dg)) in e3nn's layout. leaves = (x, y, w, g) and cotangents =
    (ggx, ggy, ggw) in the adapter's layout and dtype. Each direction is computed on its own, so
    one the adapter cannot run is reported and does not hide the others."""
    x, y, w, g = leaves
    ggx, ggy, ggw = cotangents
    back = adapter.from_layout
    want = {"forward": [expected[0]], "backward": list(expected[1]), "double_backward": list(expected[2])}
    results = {}
    for direction in directions:
        if direction in adapter.unavailable:
            results[direction] = (None, f"unavailable: {adapter.unavailable[direction]}")
            continue
        try:
            if direction == "forward":
                with torch.no_grad():
                    got = [back(adapter(x, y, w), "out")]
            elif direction == "backward":
                gx, gy, gw = torch.autograd.grad(adapter(x, y, w), (x, y, w), g)
                got = [back(gx, "in1"), back(gy, "in2"), adapter.grad_weights_out(gw)]
            else:
                first = torch.autograd.grad(adapter(x, y, w), (x, y, w), g, create_graph=True)
                second = torch.autograd.grad(first, (x, y, w, g), (ggx, ggy, ggw), allow_unused=True)
                # None is a zero gradient; a peer wrongly returning it fails the comparison.
                dx, dy, dw, dg = (torch.zeros_like(t) if d is None else d for d, t in zip(second, (x, y, w, g)))
                got = [back(dx, "in1"), back(dy, "in2"), adapter.grad_weights_out(dw), back(dg, "out")]
            results[direction] = (max(relative_error(a, b) for a, b in zip(got, want[direction])), None)
        except Exception as exc:  # noqa: BLE001 - a peer without this direction is a result
            if isinstance(exc, getattr(torch.cuda, "OutOfMemoryError", ())):
                results[direction] = (None, "out of memory (correctness check)")
            else:
                results[direction] = (None, f"unavailable: {type(exc).__name__}: {str(exc)[:240]}")
        if peers.DEVICE == "cuda":
            torch.cuda.empty_cache()
    return results


def check(adapter, problem, dtype, inputs, expected):
    """check_directions on the --check-rows inputs (float64, e3nn's layout)."""
    x, y, w, g, ggx, ggy, ggw = inputs
    to = lambda t, operand=None: (adapter.to_layout(t, operand) if operand else t).to(peers.DEVICE, dtype)  # noqa: E731
    leaves = [to(x, "in1").requires_grad_(True), to(y, "in2").requires_grad_(True),
              adapter.weights_in(to(w)).detach().requires_grad_(True), to(g, "out").requires_grad_(True)]
    cotangents = (to(ggx, "in1"), to(ggy, "in2"), adapter.weights_in(to(ggw)).detach())
    return check_directions(adapter, leaves, cotangents, expected)


def tolerance(dtype_name, eps_multiple):
    return eps_multiple * EPS[dtype_name]


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


def time_directions(adapter, problem, dtype, batch, repeat, numel, directions=DIRECTIONS):
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
        if direction not in directions:
            continue
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
    parser.add_argument("--problem-set", choices=sorted(PROBLEM_SETS), default="project",
                        help="project: bench/problems.json; oeq: bench/oeq_problems.json (OpenEquivariance's published set)")
    parser.add_argument("--problems", help="a problem set file (overrides --problem-set)")
    parser.add_argument("--batch", type=int, default=0,
                        help="rows to time in every direction (default: the set's and its entries' batches)")
    parser.add_argument("--check-rows", type=int, default=256)
    parser.add_argument("--tolerance-eps", type=float, default=1000.0,
                        help="correctness tolerance in machine epsilons of the dtype (default 1000)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--dtype", action="append", choices=["float32", "float64"])
    parser.add_argument("--direction", action="append", choices=DIRECTIONS, help="only these directions (timing)")
    parser.add_argument("--implementation", action="append", choices=IMPLEMENTATIONS)
    parser.add_argument("--name", action="append", help="only these problems")
    parser.add_argument("--group", action="append", help="only problems of these groups (oeq: uvu, uvw, roofline)")
    parser.add_argument("--skip", action="append", default=[], help="not these problems")
    parser.add_argument("--device", default="cuda", help="cpu: a smoke test of this script, no timings worth keeping")
    args = parser.parse_args()
    peers.DEVICE = args.device
    # e3nn builds its Wigner 3j tables in the default dtype: float64 keeps its float64 runs exact.
    torch.set_default_dtype(torch.float64)
    path = args.problems or os.path.join(HERE, PROBLEM_SETS[args.problem_set])
    problem_set = os.path.splitext(os.path.basename(path))[0]
    _, problems = load_problems(path)
    groups = {e["name"]: e.get("group") for e in json.load(open(path))["problems"]}
    wanted_directions = args.direction or list(DIRECTIONS)
    for problem in problems:
        if (args.name and problem.name not in args.name) or problem.name in args.skip:
            continue
        if args.group and groups.get(problem.name) not in args.group:
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
        # Directions grouped by the batch they are timed at (one set of inputs per batch).
        batches = {}
        for direction in wanted_directions:
            batches.setdefault(args.batch or problem.batch[direction], []).append(direction)
        for dtype_name in args.dtype or ["float32", "float64"]:
            dtype = getattr(torch, dtype_name)
            tol = tolerance(dtype_name, args.tolerance_eps)
            for name in args.implementation or IMPLEMENTATIONS:
                record = {"implementation": name, "problem": problem.name, "problem_set": problem_set,
                          "dtype": dtype_name}
                adapter, info = None, {}
                try:
                    adapter = peers.make(name, problem, dtype)
                    info = dict(adapter.info)
                    errors = check(adapter, problem, dtype, inputs, expected)
                    timings = {}
                    for batch, directions in batches.items():
                        runnable = [d for d in directions if errors[d][1] is None]
                        for d in directions:
                            if d not in runnable:
                                timings[d] = (None, errors[d][1], batch)
                        if runnable:
                            for d, (ms, status) in time_directions(adapter, problem, dtype, batch, args.repeat,
                                                                   numel, runnable).items():
                                timings[d] = (ms, status, batch)
                except (peers.PeerUnavailable, peers.ProblemUnsupported) as exc:
                    status = f"{'unavailable' if isinstance(exc, peers.PeerUnavailable) else 'unsupported'}: {exc}"
                    errors = {}
                    timings = {d: (None, status[:300], args.batch or problem.batch[d]) for d in wanted_directions}
                except Exception as exc:  # noqa: BLE001
                    errors = {}
                    timings = {d: (None, f"error: {type(exc).__name__}: {str(exc)[:300]}", args.batch or problem.batch[d])
                               for d in wanted_directions}
                for direction in wanted_directions:
                    ms, status, batch = timings[direction]
                    err = errors.get(direction, (None, None))[0]
                    verdict = None if err is None else ("pass" if err <= tol else "fail")
                    print(json.dumps({**record, "direction": direction, "batch": batch, "ms": ms,
                                      "rel_error": err, "tolerance": tol, "check": verdict,
                                      "reference": REFERENCE.get("name"), "status": status, **info}), flush=True)
                adapter = None
                if peers.DEVICE == "cuda":
                    torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
