"""equifuse_torch.GraphConvolution against e3nn's TensorProduct followed by a scatter-sum: values,
first and second derivatives (both algorithms), bitwise reproducibility of the deterministic
algorithm, graphs with isolated nodes and without edges, and bad input.

Usage: EQUIFUSE_TEST_DEVICE=cpu|cuda python test_graph_convolution.py [-v]
Exit status 77 (skipped) when torch or e3nn is missing, or on cuda without a GPU.
"""

import os
import sys
import unittest

SKIP = 77
DEVICE = os.environ.get("EQUIFUSE_TEST_DEVICE", "cpu")

try:
    import torch
    from e3nn import o3
except ImportError as exc:  # pragma: no cover
    print(f"SKIPPED: {exc}")
    sys.exit(SKIP)

import equifuse_torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python", "equifuse_reference"))
from e3nn_problems import channelwise_instructions  # noqa: E402

if DEVICE == "cuda" and not torch.cuda.is_available():
    print("SKIPPED: no CUDA device")
    sys.exit(SKIP)

torch.set_default_dtype(torch.float64)
TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-4}
DTYPES = [torch.float64] if DEVICE == "cpu" else [torch.float64, torch.float32]
ALGORITHMS = ["deterministic", "atomic"]


def relative_error(a, b):
    if b.numel() == 0:
        return 0.0 if a.numel() == 0 else float("inf")
    scale = b.abs().max().clamp_min(1e-30)
    return ((a - b).abs().max() / scale).item()


def mace_like():
    irreps_in1, irreps_in2 = o3.Irreps("8x0e+8x1o+4x2e"), o3.Irreps("0e+1o+2e+3o")
    irreps_out, instructions = channelwise_instructions(irreps_in1, irreps_in2, o3.Irreps("0e+1o+2e+3o"))
    return irreps_in1, irreps_in2, irreps_out, instructions


def graphs(generator):
    """(name, num_nodes, senders, receivers): random with isolated nodes, a hub, no edges."""
    n = 30
    s = torch.randint(0, 25, (200,), generator=generator)
    r = torch.randint(0, 25, (200,), generator=generator)
    hub_s = torch.cat([torch.randint(1, 12, (150,), generator=generator), torch.zeros(40, dtype=torch.long)])
    hub_r = torch.cat([torch.zeros(150, dtype=torch.long), torch.randint(1, 12, (40,), generator=generator)])
    empty = torch.zeros(0, dtype=torch.long)
    return [("random, isolated nodes", n, s, r), ("hub", 12, hub_s, hub_r), ("no edges", 5, empty, empty)]


def derivatives(fn, x, y, w, r, v, u, s):
    """out, gradients of <r, out>, and gradients of <v, gx> + <u, gy> + <s, gw> (a force loss)."""
    leaves = [t.clone().requires_grad_(True) for t in (x, y, w, r)]
    x, y, w, r = leaves
    out = fn(x, y, w)
    gx, gy, gw = torch.autograd.grad((out * r).sum(), (x, y, w), create_graph=True, allow_unused=True)
    zero = lambda g, like: torch.zeros_like(like) if g is None else g  # noqa: E731
    gx, gy, gw = zero(gx, x), zero(gy, y), zero(gw, w)
    if not (gx.requires_grad or gy.requires_grad or gw.requires_grad):  # no edges: nothing flows
        return [out, gx, gy, gw] + [torch.zeros_like(t) for t in leaves]
    second = torch.autograd.grad((gx * v).sum() + (gy * u).sum() + (gw * s).sum(), (x, y, w, r), allow_unused=True)
    return [out, gx, gy, gw] + [zero(g, t) for g, t in zip(second, leaves)]


class GraphConvolutionTest(unittest.TestCase):
    def setUp(self):
        in1, in2, out, instructions = mace_like()
        kwargs = dict(shared_weights=False, internal_weights=False)
        self.e3nn = o3.TensorProduct(in1, in2, out, instructions, **kwargs)
        self.convolutions = {a: equifuse_torch.GraphConvolution(in1, in2, out, instructions, algorithm=a, **kwargs)
                             for a in ALGORITHMS}

    def inputs(self, num_nodes, num_edges, dtype, generator):
        conv = self.convolutions["deterministic"]

        def rand(*shape):
            return torch.randn(*shape, generator=generator).to(device=DEVICE, dtype=dtype)

        d1, d2, d3 = conv.irreps_in1.dim, conv.irreps_in2.dim, conv.irreps_out.dim
        wn = conv.weight_numel
        return (rand(num_nodes, d1), rand(num_edges, d2), rand(num_edges, wn), rand(num_nodes, d3),
                rand(num_nodes, d1), rand(num_edges, d2), rand(num_edges, wn))

    def test_matches_e3nn_and_scatter_with_derivatives(self):
        generator = torch.Generator().manual_seed(0)
        e3nn = self.e3nn.to(DEVICE)
        for name, n, s, r in graphs(generator):
            graph = equifuse_torch.ConvolutionGraph(s, r, num_nodes=n).to(DEVICE)
            s_dev, r_dev = s.to(DEVICE), r.to(DEVICE)

            def reference(x, y, w):
                messages = e3nn(x[s_dev], y, w)
                return torch.zeros(n, messages.shape[1], dtype=x.dtype, device=x.device).index_add(0, r_dev, messages)

            for dtype in DTYPES:
                args = self.inputs(n, s.numel(), dtype, generator)
                # e3nn in float64 on the rounded inputs is the reference for both dtypes.
                expected = derivatives(reference, *(a.double() for a in args))
                for algorithm, conv in self.convolutions.items():
                    conv = conv.to(DEVICE)
                    got = derivatives(lambda x, y, w: conv(x, y, w, graph), *args)
                    for what, a, b in zip(["out", "gx", "gy", "gw", "ddx", "ddy", "ddw", "ddg"], got, expected):
                        with self.subTest(graph=name, dtype=dtype, algorithm=algorithm, what=what):
                            self.assertLess(relative_error(a.double(), b), TOLERANCE[dtype])

    def test_deterministic_algorithm_is_bitwise_reproducible(self):
        generator = torch.Generator().manual_seed(1)
        conv = self.convolutions["deterministic"].to(DEVICE)
        _, n, s, r = graphs(generator)[0]
        graph = equifuse_torch.ConvolutionGraph(torch.stack([s, r]), num_nodes=n).to(DEVICE)
        args = self.inputs(n, s.numel(), torch.float32 if DEVICE == "cuda" else torch.float64, generator)
        first = derivatives(lambda x, y, w: conv(x, y, w, graph), *args)
        for _ in range(3):
            again = derivatives(lambda x, y, w: conv(x, y, w, graph), *args)
            for a, b in zip(again, first):
                self.assertTrue(torch.equal(a, b))

    def test_bad_input_gives_clear_errors(self):
        conv = self.convolutions["deterministic"].to(DEVICE)
        with self.assertRaisesRegex(ValueError, r"edge indices must lie in \[0, 3\)"):
            equifuse_torch.ConvolutionGraph(torch.tensor([0, 3]), torch.tensor([1, 1]), num_nodes=3)
        with self.assertRaisesRegex(ValueError, "edge_index must be"):
            equifuse_torch.ConvolutionGraph(torch.zeros(3, 4, dtype=torch.long))
        graph = equifuse_torch.ConvolutionGraph(torch.tensor([0, 1]), torch.tensor([1, 0]), num_nodes=2).to(DEVICE)
        x, y, w, *_ = self.inputs(2, 2, torch.float64, torch.Generator().manual_seed(2))
        with self.assertRaisesRegex(RuntimeError, "y must be"):
            conv(x, y[:1], w, graph)
        with self.assertRaisesRegex(RuntimeError, "graph has"):
            torch.ops.equifuse.graph_convolution(conv._plan, x, y, w, graph.packed[:-1].contiguous(), "deterministic")
        with self.assertRaisesRegex(RuntimeError, "unknown convolution algorithm"):
            torch.ops.equifuse.graph_convolution(conv._plan, x, y, w, graph.packed, "fast")
        with self.assertRaisesRegex(ValueError, "algorithm must be"):
            equifuse_torch.GraphConvolution("0e", "0e", "0e", [(0, 0, 0, "uvu", True)], algorithm="fast")


if __name__ == "__main__":
    print(f"equifuse_torch {equifuse_torch.library_path} on {DEVICE}, torch {torch.__version__}")
    unittest.main()
