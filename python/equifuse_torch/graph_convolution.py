"""Fused graph convolution: ``out[i] = sum over edges (j -> i) of TP(x[j], y[e], W[e])``.

``ConvolutionGraph`` holds a graph's edges and the groupings the kernels need (by receiver and
by sender), computed once with torch operations on the graph's device; ``GraphConvolution`` is a
``TensorProduct`` (same constructor, same weight layout as e3nn) whose forward takes node
features, edge features, edge weights and a graph, and never stores per-edge messages.
"""

from typing import Optional

import torch

from .tensor_product import TensorProduct


def _grouping(keys: torch.Tensor, num_nodes: int):
    # Edge ids sorted by key, ascending within a key (stable), and CSR offsets.
    order = torch.sort(keys, stable=True).indices
    counts = torch.bincount(keys, minlength=num_nodes)
    offsets = torch.cat([counts.new_zeros(1), torch.cumsum(counts, 0)])
    return offsets, order


class ConvolutionGraph:
    """Edges ``senders[e] -> receivers[e]`` among ``num_nodes`` nodes.

    ``edge_index`` may be given as one ``[2, num_edges]`` tensor (row 0 senders, row 1
    receivers, as in MACE and NequIP) or as ``senders, receivers``.
    """

    def __init__(self, senders: torch.Tensor, receivers: Optional[torch.Tensor] = None,
                 num_nodes: Optional[int] = None) -> None:
        if receivers is None:
            if senders.dim() != 2 or senders.shape[0] != 2:
                raise ValueError(f"edge_index must be [2, num_edges], got {tuple(senders.shape)}")
            senders, receivers = senders[0], senders[1]
        if senders.shape != receivers.shape or senders.dim() != 1:
            raise ValueError(f"senders {tuple(senders.shape)} and receivers {tuple(receivers.shape)} "
                             "must be vectors of one length")
        senders, receivers = senders.long(), receivers.long()
        num_edges = senders.numel()
        if num_nodes is None:
            num_nodes = int(torch.cat([senders, receivers]).max()) + 1 if num_edges else 0
        if num_edges and (min(int(senders.min()), int(receivers.min())) < 0
                          or max(int(senders.max()), int(receivers.max())) >= num_nodes):
            raise ValueError(f"edge indices must lie in [0, {num_nodes})")
        if num_nodes >= 2**31 or num_edges >= 2**31:
            raise ValueError("graphs are limited to 2^31 - 1 nodes and edges (32-bit indices)")
        self.num_nodes = int(num_nodes)
        self.num_edges = int(num_edges)
        receiver_offsets, receiver_edges = _grouping(receivers, self.num_nodes)
        sender_offsets, sender_edges = _grouping(senders, self.num_nodes)
        # The packed layout the ops read (graph_convolution_ops.cpp).
        self.packed = torch.cat([senders, receivers, receiver_offsets, receiver_edges,
                                 sender_offsets, sender_edges]).to(torch.int32).contiguous()
        self.senders = senders
        self.receivers = receivers

    def to(self, device) -> "ConvolutionGraph":
        moved = object.__new__(ConvolutionGraph)
        moved.__dict__.update({k: (v.to(device) if isinstance(v, torch.Tensor) else v)
                               for k, v in self.__dict__.items()})
        return moved


class GraphConvolution(TensorProduct):
    """A ``TensorProduct`` run as a fused convolution over a graph.

    ``algorithm``: ``"deterministic"`` (edges summed per node in a fixed order, bitwise
    reproducible) or ``"atomic"`` (edges in any order, atomics on the GPU). Weights are usually
    per edge (``shared_weights=False``, ``internal_weights=False``), as in MACE and NequIP.
    """

    def __init__(self, *args, algorithm: str = "deterministic", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if algorithm not in ("deterministic", "atomic"):
            raise ValueError(f"algorithm must be 'deterministic' or 'atomic', got {algorithm!r}")
        self.algorithm = algorithm

    def forward(self, x: torch.Tensor, y: torch.Tensor, weight: Optional[torch.Tensor] = None,
                graph: Optional[ConvolutionGraph] = None) -> torch.Tensor:
        if graph is None:
            raise RuntimeError("GraphConvolution.forward needs a ConvolutionGraph")
        if x.shape != (graph.num_nodes, self._in1_dim):
            raise RuntimeError(f"x must be [{graph.num_nodes}, {self._in1_dim}], got {tuple(x.shape)}")
        if y.shape != (graph.num_edges, self._in2_dim):
            raise RuntimeError(f"y must be [{graph.num_edges}, {self._in2_dim}], got {tuple(y.shape)}")
        weight = self._get_weights(weight)
        dtype = torch.promote_types(x.dtype, y.dtype)
        if self.weight_numel == 0:
            weight = x.new_zeros((0,) if self.shared_weights else (graph.num_edges, 0), dtype=dtype)
        packed = graph.packed if graph.packed.device == x.device else graph.packed.to(x.device)
        return torch.ops.equifuse.graph_convolution(self._plan, x.to(dtype), y.to(dtype), weight.to(dtype),
                                                    packed, self.algorithm)
