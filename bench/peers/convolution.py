"""Adapters that run one graph convolution, out[i] = sum over edges (j -> i) of TP(x[j], y[e], W[e]),
on one implementation through PyTorch. Same conventions as the tensor-product adapters (e3nn's
layout and weights in, conversions outside the timed region); `call(x, y, w)` has the graph bound.

  equifuse-deterministic, equifuse-atomic  fused (equifuse_torch.GraphConvolution)
  equifuse-unfused                         equifuse TensorProduct on gathered rows + index_add
  e3nn-unfused                             e3nn TensorProduct on gathered rows + index_add
  openequivariance-atomic, -deterministic  OpenEquivariance's fused TensorProductConv
  cuequivariance-fused                     cuEquivariance's indexed SegmentedPolynomial (uniform_1d),
                                           in its ir_mul layout
"""

import torch

from . import Adapter, PeerUnavailable, ProblemUnsupported
from . import device as peers_device

IMPLEMENTATIONS = ("equifuse-deterministic", "equifuse-atomic", "equifuse-unfused", "e3nn-unfused",
                   "openequivariance-atomic", "openequivariance-deterministic", "cuequivariance-fused")


class Graph:
    """senders/receivers (int64, sorted by receiver) on the benchmark device, and what peers need."""

    def __init__(self, senders, receivers, num_nodes):
        self.senders, self.receivers, self.num_nodes = senders, receivers, num_nodes
        self.num_edges = senders.numel()
        self._cache = {}

    def cached(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


def _scatter(messages, graph):
    out = messages.new_zeros(graph.num_nodes, messages.shape[1])
    return out.index_add(0, graph.receivers, messages)


class EquifuseFused(Adapter):
    def __init__(self, problem, dtype, graph, algorithm):
        try:
            import equifuse_torch
        except ImportError as exc:
            raise PeerUnavailable(str(exc)) from exc

        self.name = f"equifuse-{algorithm}"
        self.module = equifuse_torch.GraphConvolution(
            problem.irreps_in1, problem.irreps_in2, problem.irreps_out, problem.instructions,
            shared_weights=problem.shared_weights, internal_weights=False, algorithm=algorithm).to(peers_device())
        self.graph = graph.cached("equifuse", lambda: equifuse_torch.ConvolutionGraph(
            graph.senders, graph.receivers, num_nodes=graph.num_nodes))

    def __call__(self, x, y, w):
        return self.module(x, y, w, self.graph)


class Unfused(Adapter):
    def __init__(self, problem, dtype, graph, library):
        self.name = f"{library}-unfused"
        if library == "equifuse":
            try:
                import equifuse_torch as lib
            except ImportError as exc:
                raise PeerUnavailable(str(exc)) from exc
        else:
            from e3nn import o3 as lib
        self.module = lib.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                        problem.instructions, shared_weights=problem.shared_weights,
                                        internal_weights=False).to(device=peers_device(), dtype=dtype)
        self.graph = graph

    def __call__(self, x, y, w):
        return _scatter(self.module(x[self.graph.senders], y, w), self.graph)


class OpenEquivarianceConv(Adapter):
    """oeq.TensorProductConv(problem, *, deterministic, kahan=False) (0.7.0: keyword-only options;
    forward(X, Y, W, rows, cols, sender_perm=None) with rows = receivers sorted, cols = senders,
    int64; sender_perm, required by the deterministic kernel only, orders the (row-major) edges by
    (col, row); the deterministic kernel rejects shared weights)."""

    def __init__(self, problem, dtype, graph, deterministic):
        from .openequivariance_peer import import_openequivariance, tp_problem

        oeq = import_openequivariance()
        self.name = "openequivariance-" + ("deterministic" if deterministic else "atomic")
        spec = tp_problem(oeq, problem, dtype)
        if deterministic and problem.shared_weights:
            raise ProblemUnsupported("OpenEquivariance's deterministic convolution needs per-edge weights")
        try:
            self.module = oeq.TensorProductConv(spec, deterministic=deterministic)
        except Exception as exc:  # noqa: BLE001
            raise ProblemUnsupported(f"{type(exc).__name__}: {exc}") from exc
        self.graph = graph
        # Edges are sorted by (receiver, sender) (atomic_graphs.neighbour_graph); a stable sort by
        # sender then gives OpenEquivariance's transpose permutation (by sender, then receiver).
        self.perm = (graph.cached("sender_perm", lambda: torch.sort(graph.senders, stable=True).indices)
                     if deterministic else None)
        self.batched = not problem.shared_weights
        self.info = {"version": getattr(oeq, "__version__", None)}

    def __call__(self, x, y, w):
        return self.module(x, y, w, self.graph.receivers, self.graph.senders, self.perm)

    def weights_in(self, w):
        return self.module.reorder_weights_from_e3nn(w, has_batch_dim=self.batched)

    def grad_weights_out(self, gw):
        return self.module.reorder_weights_to_e3nn(gw, has_batch_dim=self.batched)


class CuEquivarianceFused(Adapter):
    name = "cuequivariance-fused"

    def __init__(self, problem, dtype, graph):
        from .cuequivariance_peer import CuEquivarianceAdapter, require_kernels

        require_kernels()
        if problem.kind != "channelwise" or problem.shared_weights:
            raise ProblemUnsupported("only MACE's channel-wise construction with per-edge weights")
        import cuequivariance as cue
        import cuequivariance_torch as cuet
        from .cuequivariance_peer import E3nnO3

        # The plain (unfused) adapter gives the layout and weight-order conversions.
        self.plain = CuEquivarianceAdapter(problem, dtype, layout="ir_mul")
        poly = cue.descriptors.channelwise_tensor_product(
            cue.Irreps(E3nnO3, str(problem.irreps_in1)), cue.Irreps(E3nnO3, str(problem.irreps_in2)),
            cue.Irreps(E3nnO3, problem.out_filter)).polynomial
        poly = poly.flatten_coefficient_modes().squeeze_modes()
        if not poly.all_same_segment_shape():
            raise ProblemUnsupported("uniform_1d needs one multiplicity for every irrep of in1")
        self.module = cuet.SegmentedPolynomial(poly, method="uniform_1d", math_dtype=dtype).to(peers_device())
        self.info = {"method": self.module.method}
        self.graph = graph

    def __call__(self, x, y, w):
        shape = x.new_empty(self.graph.num_nodes, 0)
        return self.module([w, x, y], input_indices={1: self.graph.senders}, output_shapes={0: shape},
                           output_indices={0: self.graph.receivers})[0]

    def weights_in(self, w):
        return self.plain.weights_in(w)

    def grad_weights_out(self, gw):
        return self.plain.grad_weights_out(gw)

    def to_layout(self, t, operand):
        return self.plain.to_layout(t, operand)

    def from_layout(self, t, operand):
        return self.plain.from_layout(t, operand)


def make(name, problem, dtype, graph):
    if name in ("equifuse-deterministic", "equifuse-atomic"):
        return EquifuseFused(problem, dtype, graph, name.split("-")[1])
    if name in ("equifuse-unfused", "e3nn-unfused"):
        return Unfused(problem, dtype, graph, name.split("-")[0])
    if name.startswith("openequivariance-"):
        return OpenEquivarianceConv(problem, dtype, graph, name.endswith("deterministic"))
    if name == "cuequivariance-fused":
        return CuEquivarianceFused(problem, dtype, graph)
    raise ValueError(f"unknown implementation {name}")
