"""Adapters that run one tensor-product problem on one implementation through PyTorch.

Every adapter takes e3nn's layout for x, y and the output (mul_ir) and e3nn's flattened weights;
an implementation with its own weight order converts them outside the timed region
(`weights_in`, `grad_weights_out`). `make(name, problem, dtype)` builds one; a peer that cannot be
imported raises PeerUnavailable, one that cannot run a problem raises ProblemUnsupported.
A direction an adapter cannot run (e.g. no double backward) is named in `unavailable`
({direction: reason}); the benchmark reports it as unavailable and still runs the others, and
a direction that raises during the correctness check is reported the same way. `info` holds
facts about the implementation that the results should carry (e.g. the kernel method a peer
chose, which may be a slow fallback).
"""


DEVICE = "cuda"  # the benchmark's --device


def device():
    return DEVICE


class PeerUnavailable(Exception):
    pass


class ProblemUnsupported(Exception):
    pass


class Adapter:
    """call(x, y, w) -> out on the GPU, with w in the peer's own weight layout."""

    name = "?"
    unavailable = {}  # direction -> reason, for directions this adapter cannot run
    info = {}  # carried into every result row (e.g. {"method": "uniform_1d"})

    def __call__(self, x, y, w):
        raise NotImplementedError

    def weights_in(self, w):
        return w

    def grad_weights_out(self, gw):
        return gw

    # Feature layout of operand "in1", "in2" or "out" (e3nn's mul_ir unless the peer says otherwise).
    def to_layout(self, t, operand):
        return t

    def from_layout(self, t, operand):
        return t


def make(name, problem, dtype):
    if name == "equifuse":
        from .equifuse_peer import EquifuseAdapter as cls
    elif name == "e3nn":
        from .e3nn_peer import E3nnAdapter as cls
    elif name == "openequivariance":
        from .openequivariance_peer import OpenEquivarianceAdapter as cls
    elif name.startswith("cuequivariance"):
        from .cuequivariance_peer import CuEquivarianceAdapter as cls
        return cls(problem, dtype, layout="ir_mul" if name.endswith("ir_mul") else "mul_ir")
    else:
        raise ValueError(f"unknown implementation {name}")
    return cls(problem, dtype)
