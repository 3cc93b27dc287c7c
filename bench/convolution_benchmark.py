"""Fused graph convolution benchmark: equifuse (deterministic, atomic, unfused + scatter), e3nn +
scatter, OpenEquivariance's fused convolution and cuEquivariance's indexed fused op, on neighbour
graphs of fcc copper and liquid water built by bench/atomic_graphs.py, for the MACE and NequIP
problems. Per implementation, graph and direction: time per call and peak GPU memory; before
timing, every implementation is checked against e3nn + scatter in float64 on the smallest graph,
direction by direction (peer_benchmark.check_directions): the relative error must be at most
--tolerance-eps machine epsilons of the dtype (a failing direction is timed but marked
"check": "fail"; one that raises is reported unavailable and not timed). float32 and float64
unless --dtype picks one.
Graphs grow until every implementation has run out of memory or --max-edges is reached, so the
largest graph each runs is part of the result. One JSON line per measurement on stdout.

  python3 bench/convolution_benchmark.py [--problem mace-large ...] [--structure fcc-cu water]
      [--dtype float32 --dtype float64] [--implementation NAME ...] [--max-edges 2e7] [--device cuda|cpu]
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atomic_graphs  # noqa: E402
import peer_benchmark  # noqa: E402
import peers  # noqa: E402
from peers import PeerUnavailable, ProblemUnsupported  # noqa: E402
from peers import convolution as conv_peers  # noqa: E402

DIRECTIONS = peer_benchmark.DIRECTIONS
# Supercells (fcc cells per side; water molecules per side) from ~10^3 to ~10^7 edges at 5 Angstrom.
SIZES = {"fcc-cu": [2, 4, 8, 17, 27, 37, 46], "water": [3, 6, 12, 25, 40, 54]}
R_CUT = 5.0


def build_graph(structure, size, device):
    positions, box = atomic_graphs.fcc_copper(size) if structure == "fcc-cu" else atomic_graphs.water_box(size)
    senders, receivers = atomic_graphs.neighbour_graph(positions, box, R_CUT, device=device)
    return conv_peers.Graph(senders, receivers, positions.shape[0])


def inputs(problem, graph, dtype, device, seed=0):
    gen = torch.Generator(device=device).manual_seed(seed)
    n, e = graph.num_nodes, graph.num_edges
    numel = sum(problem.irreps_in1[i1].mul * problem.irreps_in2[i2].mul for i1, i2, *_ in problem.instructions)

    def rand(*shape):
        return torch.randn(*shape, device=device, dtype=dtype, generator=gen)

    w_shape = (numel,) if problem.shared_weights else (e, numel)
    return (rand(n, problem.irreps_in1.dim), rand(e, problem.irreps_in2.dim), rand(*w_shape),
            rand(n, problem.irreps_out.dim), rand(n, problem.irreps_in1.dim), rand(e, problem.irreps_in2.dim),
            rand(*w_shape))


def check(adapter, problem, graph, device):
    """{direction: (rel_error, None) or (None, reason)} against e3nn + scatter in float64."""
    data = inputs(problem, graph, torch.float64, device, seed=3)
    reference = conv_peers.Unfused(problem, torch.float64, graph, "e3nn")
    leaves = [t.clone().requires_grad_(True) for t in data[:4]]
    expected = peer_benchmark.run_directions(reference, *leaves, *data[4:])
    expected = (expected[0].cpu(), [t.cpu() for t in expected[1]], [t.cpu() for t in expected[2]])
    reference = leaves = None
    dtype = adapter.dtype
    to = lambda t, operand=None: (adapter.to_layout(t, operand) if operand else t).to(dtype)  # noqa: E731
    x, y, w, g, ggx, ggy, ggw = data
    leaves = [to(x, "in1").requires_grad_(True), to(y, "in2").requires_grad_(True),
              adapter.weights_in(to(w)).detach().requires_grad_(True), to(g, "out").requires_grad_(True)]
    cotangents = (to(ggx, "in1"), to(ggy, "in2"), adapter.weights_in(to(ggw)).detach())
    return peer_benchmark.check_directions(adapter, leaves, cotangents, expected)


def measure(adapter, problem, graph, dtype, device, repeat, directions=DIRECTIONS):
    """{direction: (ms, peak MB, status)}; each direction timed alone as in peer_benchmark."""
    x, y, w, g, ggx, ggy, ggw = inputs(problem, graph, dtype, device)
    x, y, g, ggx, ggy = (adapter.to_layout(t, o) for t, o in
                         ((x, "in1"), (y, "in2"), (g, "out"), (ggx, "in1"), (ggy, "in2")))
    w, ggw = adapter.weights_in(w), adapter.weights_in(ggw)
    x, y, w, g = (t.detach().requires_grad_(True) for t in (x, y, w, g))
    state = {}

    def forward():
        with torch.no_grad():
            adapter(x, y, w)

    def backward():
        if "out" not in state:
            state["out"] = adapter(x, y, w)
        torch.autograd.grad(state["out"], (x, y, w), g, retain_graph=True)

    def double_backward():
        if "grads" not in state:
            state["grads"] = torch.autograd.grad(adapter(x, y, w), (x, y, w), g, create_graph=True)
        torch.autograd.grad(state["grads"], (x, y, w, g), (ggx, ggy, ggw), retain_graph=True)

    results = {}
    for direction, fn in zip(DIRECTIONS, (forward, backward, double_backward)):
        if direction not in directions:
            continue
        state.clear()
        if device == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        try:
            ms = peer_benchmark.median_ms(fn, repeat)
            peak = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
            results[direction] = (ms, peak, "ok")
        except torch.cuda.OutOfMemoryError:
            results[direction] = (None, None, "out of memory")
        except Exception as exc:  # noqa: BLE001 - a failing peer is a result
            results[direction] = (None, None, f"error: {type(exc).__name__}: {str(exc)[:200]}")
        state.clear()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default=os.path.join(os.path.dirname(__file__), "problems.json"))
    parser.add_argument("--problem", action="append", help="default: mace-large, nequip-l2-32")
    parser.add_argument("--structure", action="append", choices=sorted(SIZES))
    parser.add_argument("--implementation", action="append", choices=conv_peers.IMPLEMENTATIONS)
    parser.add_argument("--dtype", action="append", choices=["float32", "float64"],
                        help="default: float32 and float64")
    parser.add_argument("--tolerance-eps", type=float, default=1000.0,
                        help="correctness tolerance in machine epsilons of the dtype (default 1000)")
    parser.add_argument("--max-edges", type=float, default=2e7)
    parser.add_argument("--min-edges", type=float, default=0, help="skip smaller graphs (resuming a run)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    args = parser.parse_args()
    peers.DEVICE = args.device
    # e3nn builds its Wigner 3j tables in the default dtype: float64 keeps the reference exact.
    torch.set_default_dtype(torch.float64)
    _, problems = peer_benchmark.load_problems(args.problems)
    wanted = args.problem or ["mace-large", "nequip-l2-32"]
    problems = [p for p in problems if p.name in wanted]
    names = args.implementation or list(conv_peers.IMPLEMENTATIONS)
    for dtype_name in args.dtype or ["float32", "float64"]:
        dtype = getattr(torch, dtype_name)
        tol = peer_benchmark.tolerance(dtype_name, args.tolerance_eps)
        for structure in args.structure or ["fcc-cu", "water"]:
            for problem in problems:
                run_graphs(args, structure, problem, dtype_name, dtype, tol, names)


def run_graphs(args, structure, problem, dtype_name, dtype, tol, names):
    alive = {name: True for name in names}
    first = 0 if args.min_edges == 0 else -1  # the correctness check runs on the first graph
    for k, size in enumerate(SIZES[structure]):
        started = time.time()
        graph = build_graph(structure, size, args.device)
        if graph.num_edges > args.max_edges or not any(alive.values()):
            break
        if graph.num_edges < args.min_edges:
            continue
        for name in names:
            record = {"implementation": name, "problem": problem.name, "structure": structure,
                      "dtype": dtype_name, "atoms": graph.num_nodes, "edges": graph.num_edges}
            if not alive[name]:
                print(json.dumps({**record, "status": "skipped: out of memory on a smaller graph"}), flush=True)
                continue
            adapter = None
            try:
                adapter = conv_peers.make(name, problem, dtype, graph)
                adapter.dtype = dtype
                record.update(adapter.info)
                errors = check(adapter, problem, graph, args.device) if k == first else {}
                runnable = [d for d in DIRECTIONS if d not in errors or errors[d][1] is None]
                results = measure(adapter, problem, graph, dtype, args.device, args.repeat, runnable)
                for d in DIRECTIONS:
                    if d not in runnable:
                        results[d] = (None, None, errors[d][1])
            except (PeerUnavailable, ProblemUnsupported) as exc:
                print(json.dumps({**record, "status": f"unavailable: {exc}"}), flush=True)
                alive[name] = False
                continue
            except torch.cuda.OutOfMemoryError:  # setting up (e.g. reordering weights)
                for direction in DIRECTIONS:
                    print(json.dumps({**record, "direction": direction, "status": "out of memory"}), flush=True)
                alive[name] = False
                adapter = None
                torch.cuda.empty_cache()
                continue
            except Exception as exc:  # noqa: BLE001 - one implementation failing is a result
                print(json.dumps({**record, "status": f"error: {type(exc).__name__}: {str(exc)[:300]}"}), flush=True)
                alive[name] = False
                adapter = None
                continue
            for direction in DIRECTIONS:
                ms, peak, status = results[direction]
                err = errors.get(direction, (None, None))[0]
                verdict = None if err is None else ("pass" if err <= tol else "fail")
                print(json.dumps({**record, "direction": direction, "ms": ms, "peak_mib": peak,
                                  "rel_error": err, "tolerance": tol, "check": verdict, "status": status}),
                      flush=True)
            if all(s != "ok" for _, _, s in results.values()):
                alive[name] = False
            del adapter
            if args.device == "cuda":
                torch.cuda.empty_cache()
        print(f"# {dtype_name} {structure} {problem.name} {graph.num_edges} edges: {time.time() - started:.0f} s",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
