"""NVIDIA cuEquivariance (cuequivariance-torch + cuequivariance-ops-torch-cu13).

cuEquivariance's own O(3) basis and irrep order differ from e3nn's, so the problems are built in a
group written here that has e3nn's conventions (Clebsch-Gordan blocks = e3nn's Wigner 3j scaled
by sqrt(2 l3 + 1); irreps ordered by (l, p) with odd parity first), as MACE does when it runs on
cuEquivariance. uvu problems of MACE's channel-wise construction map to ChannelWiseTensorProduct,
fully connected uvw problems to FullyConnectedTensorProduct; anything else is unsupported here.
layout="mul_ir" is e3nn's layout (what a drop-in replacement sees); "ir_mul" is cuEquivariance's
preferred one, with inputs transposed outside the timed region.

Checked against cuequivariance / cuequivariance-torch 0.13.0: ChannelWiseTensorProduct(irreps_in1,
irreps_in2, filter_irreps_out, *, layout, shared_weights, internal_weights, device, dtype,
math_dtype, method) and FullyConnectedTensorProduct(irreps_in1, irreps_in2, irreps_out, *, same);
forward(x1, x2, weight) with weight [batch, numel] or [1, numel] when shared. Both build a
cuet.SegmentedPolynomial whose `method` ("uniform_1d" channel-wise when all segments have one
shape, else "naive"; "fused_tp" fully connected) silently becomes "naive" (PyTorch, no kernel)
when cuequivariance_ops_torch cannot be imported: on a GPU that is reported as unavailable, and
the method actually used is carried into every result row.
"""

import itertools

import torch

from . import Adapter, device as peers_device, PeerUnavailable, ProblemUnsupported

try:
    import cuequivariance as cue
    import cuequivariance_torch as cuet
    import numpy as np
    from e3nn import o3

    class E3nnO3(cue.O3):
        """cue.O3 with e3nn's real basis and irrep order."""

        def __mul__(rep1, rep2):
            return [E3nnO3(l=ir.l, p=ir.p) for ir in cue.O3.__mul__(rep1, rep2)]

        @classmethod
        def clebsch_gordan(cls, rep1, rep2, rep3):
            rep1, rep2, rep3 = cls._from(rep1), cls._from(rep2), cls._from(rep3)
            if rep1.p * rep2.p != rep3.p or not abs(rep1.l - rep2.l) <= rep3.l <= rep1.l + rep2.l:
                return np.zeros((0, rep1.dim, rep2.dim, rep3.dim))
            block = o3.wigner_3j(rep1.l, rep2.l, rep3.l, dtype=torch.float64).numpy()
            return block[None] * np.sqrt(rep3.dim)

        def __lt__(rep1, rep2):
            rep2 = rep1._from(rep2)
            return (rep1.l, rep1.p) < (rep2.l, rep2.p)

        @classmethod
        def iterator(cls):  # must start with the trivial irrep 0e
            for ell in itertools.count(0):
                yield E3nnO3(l=ell, p=(-1) ** ell)
                yield E3nnO3(l=ell, p=-((-1) ** ell))

    IMPORT_ERROR = None
except Exception as exc:  # noqa: BLE001 - report whatever stops the import
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

try:  # the CUDA kernels; without them cuequivariance_torch falls back to PyTorch code silently
    import cuequivariance_ops_torch  # noqa: F401

    OPS_ERROR = None
except Exception as exc:  # noqa: BLE001
    OPS_ERROR = f"cuequivariance_ops_torch: {type(exc).__name__}: {exc}"


def require_kernels():
    """PeerUnavailable unless the package and, on a GPU, its kernels import."""
    if IMPORT_ERROR is not None:
        raise PeerUnavailable(IMPORT_ERROR)
    if OPS_ERROR is not None and peers_device() != "cpu":
        raise PeerUnavailable(f"{OPS_ERROR} (cuequivariance_torch would time its naive PyTorch fallback)")


def method_of(module):
    """The method a cuet module's SegmentedPolynomial ended up with."""
    f = getattr(module, "f", module)
    return getattr(f, "method", None)


def _blocks(irreps):
    return [(mul, ir.dim) for mul, ir in irreps]


def _transpose(t, blocks, to_ir_mul):
    """mul_ir <-> ir_mul for [batch, dim] tensors."""
    parts, offset = [], 0
    for mul, dim in blocks:
        chunk = t[:, offset:offset + mul * dim]
        shape = (t.shape[0], mul, dim) if to_ir_mul else (t.shape[0], dim, mul)
        parts.append(chunk.reshape(shape).transpose(1, 2).reshape(t.shape[0], mul * dim))
        offset += mul * dim
    return torch.cat(parts, dim=1).contiguous()


class CuEquivarianceAdapter(Adapter):
    def __init__(self, problem, dtype, layout="mul_ir"):
        require_kernels()
        if dtype not in (torch.float32, torch.float64):
            raise ProblemUnsupported(f"float32 and float64 only here, not {dtype}")
        self.name = f"cuequivariance-{layout}"
        self.layout = layout
        cue_layout = cue.ir_mul if layout == "ir_mul" else cue.mul_ir
        in1 = cue.Irreps(E3nnO3, str(problem.irreps_in1))
        in2 = cue.Irreps(E3nnO3, str(problem.irreps_in2))
        kwargs = dict(layout=cue_layout, shared_weights=problem.shared_weights, internal_weights=False,
                      device=peers_device(), dtype=dtype, math_dtype=dtype)
        try:
            if problem.kind == "channelwise":
                self.module = cuet.ChannelWiseTensorProduct(
                    in1, in2, cue.Irreps(E3nnO3, problem.out_filter), **kwargs)
            elif problem.kind == "fully_connected":
                self.module = cuet.FullyConnectedTensorProduct(
                    in1, in2, cue.Irreps(E3nnO3, str(problem.irreps_out)), **kwargs)
            else:
                raise ProblemUnsupported(f"no cuEquivariance module for {problem.kind}")
        except ProblemUnsupported:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ProblemUnsupported(f"{type(exc).__name__}: {exc}") from exc
        if str(self.module.irreps_out) != str(cue.Irreps(E3nnO3, str(problem.irreps_out))):
            raise ProblemUnsupported(f"output irreps {self.module.irreps_out} differ from e3nn's {problem.irreps_out}")
        if self.module.weight_numel != sum(problem.irreps_in1[i1].mul * problem.irreps_in2[i2].mul
                                           * (1 if problem.kind == "channelwise" else problem.irreps_out[io].mul)
                                           for i1, i2, io, *_ in problem.instructions):
            raise ProblemUnsupported(f"weight count {self.module.weight_numel} differs from e3nn's")
        self.info = {"method": method_of(self.module)}
        self.shared = problem.shared_weights
        # cuEquivariance orders the weights of the channel-wise product by output block (its
        # outputs are sorted), e3nn by instruction: a permutation of per-instruction segments.
        self.segments = None
        if problem.kind == "channelwise":
            sizes = [problem.irreps_in1[i1].mul * problem.irreps_in2[i2].mul for i1, i2, *_ in problem.instructions]
            offsets = [sum(sizes[:k]) for k in range(len(sizes))]
            order = sorted(range(len(sizes)), key=lambda k: problem.instructions[k][2])
            self.segments = [(offsets[k], sizes[k]) for k in order]
        self.blocks = {"in1": _blocks(problem.irreps_in1), "in2": _blocks(problem.irreps_in2),
                       "out": _blocks(problem.irreps_out)}

    def __call__(self, x, y, w):
        return self.module(x, y, w)

    def weights_in(self, w):
        if self.segments is not None:
            w = torch.cat([w[..., o:o + n] for o, n in self.segments], dim=-1)
        return w.reshape(1, -1) if self.shared else w  # shared weights are [1, weight_numel]

    def grad_weights_out(self, gw):
        gw = gw.reshape(-1) if self.shared else gw
        if self.segments is None:
            return gw
        # Invert the permutation: the j-th segment in cuEquivariance's order goes back to offset o.
        out, at = torch.empty_like(gw), 0
        for o, n in self.segments:
            out[..., o:o + n] = gw[..., at:at + n]
            at += n
        return out

    def to_layout(self, t, operand):
        return _transpose(t, self.blocks[operand], True) if self.layout == "ir_mul" else t

    def from_layout(self, t, operand):
        return _transpose(t, self.blocks[operand], False) if self.layout == "ir_mul" else t
