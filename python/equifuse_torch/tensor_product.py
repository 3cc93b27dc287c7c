"""e3nn-compatible tensor-product modules running on equifuse kernels.

`TensorProduct` takes e3nn.o3.TensorProduct's constructor arguments and forward signature, keeps
the same attributes (irreps_in1/in2/out, instructions with e3nn's normalised path_weight and
path_shape, weight_numel, shared_weights, internal_weights) and the same state_dict keys
("weight", "output_mask"), so it replaces e3nn's module inside e3nn, MACE or NequIP code and loads
their checkpoints. Arguments e3nn uses only to pick its own code paths (compile_left_right,
compile_right, _specialized_code, _optimize_einsums) are accepted and ignored.
"""

from __future__ import annotations

import json
import math
from collections import namedtuple
from typing import List, Optional

import torch

try:  # e3nn is optional: with it, irreps and instructions are e3nn's own types.
    from e3nn import o3 as _o3
except ImportError:  # pragma: no cover - exercised where e3nn is absent
    _o3 = None

_Instruction = namedtuple(
    "Instruction", "i_in1 i_in2 i_out connection_mode has_weight path_weight path_shape"
)
if _o3 is not None:
    try:
        from e3nn.o3._tensor_product._instruction import Instruction as _Instruction  # noqa: F811
    except ImportError:  # pragma: no cover
        pass

_MODES = ("uvw", "uvu", "uvv", "uuw", "uuu")


def _irreps(value):
    """e3nn.o3.Irreps when e3nn is installed, else the irreps string itself."""
    if _o3 is not None:
        return _o3.Irreps(value)
    if not isinstance(value, str):
        raise TypeError("without e3nn installed, irreps must be given as strings like '16x0e+8x1o'")
    return value


def _irreps_string(irreps) -> str:
    return str(irreps) if not isinstance(irreps, str) else irreps


def _entries(irreps_string: str):
    """(mul, l, parity) of each entry of an irreps string; '' is empty."""
    out = []
    for term in filter(None, (t.strip() for t in irreps_string.split("+"))):
        mul, _, ir = term.rpartition("x")
        out.append((int(mul) if mul else 1, int(ir[:-1]), 1 if ir[-1] == "e" else -1))
    return out


class TensorProduct(torch.nn.Module):
    r"""Drop-in replacement for ``e3nn.o3.TensorProduct`` (same arguments, outputs and weights).

    x: ``(..., irreps_in1.dim)``, y: ``(..., irreps_in2.dim)``, weight: ``(weight_numel,)`` for
    shared weights or ``(..., weight_numel)`` per sample; leading dimensions broadcast. float32 and
    float64 on CPU or CUDA; backward and double backward are equifuse kernels.
    """

    def __init__(
        self,
        irreps_in1,
        irreps_in2,
        irreps_out,
        instructions: List[tuple],
        in1_var: Optional[List[float]] = None,
        in2_var: Optional[List[float]] = None,
        out_var: Optional[List[float]] = None,
        irrep_normalization: Optional[str] = None,
        path_normalization: Optional[str] = None,
        internal_weights: Optional[bool] = None,
        shared_weights: Optional[bool] = None,
        compile_left_right: bool = True,
        compile_right: bool = False,
        normalization: Optional[str] = None,
        _specialized_code: Optional[bool] = None,
        _optimize_einsums: Optional[bool] = None,
    ) -> None:
        super().__init__()
        del compile_left_right, compile_right, _specialized_code, _optimize_einsums
        if normalization is not None:  # e3nn's deprecated alias
            irrep_normalization = normalization
        self.irreps_in1 = _irreps(irreps_in1)
        self.irreps_in2 = _irreps(irreps_in2)
        self.irreps_out = _irreps(irreps_out)

        specs = []
        for ins in instructions:
            ins = tuple(ins)
            if len(ins) not in (5, 6):
                raise ValueError(
                    f"instruction {ins} must be (i_in1, i_in2, i_out, mode, has_weight[, path_weight])"
                )
            if ins[3] not in _MODES:
                raise ValueError(f"connection mode {ins[3]!r} is not supported (one of {_MODES})")
            specs.append([int(ins[0]), int(ins[1]), int(ins[2]), ins[3], bool(ins[4]),
                          float(ins[5]) if len(ins) == 6 else 1.0])

        if shared_weights is False and internal_weights is None:
            internal_weights = False
        if shared_weights is None:
            shared_weights = True
        if internal_weights is None:
            internal_weights = shared_weights and any(s[4] for s in specs)
        if internal_weights and not shared_weights:
            raise ValueError("internal_weights requires shared_weights")
        self.shared_weights = bool(shared_weights)
        self.internal_weights = bool(internal_weights)

        def variances(v):
            return None if v is None else [float(a) for a in v]

        problem = {
            "irreps_in1": _irreps_string(self.irreps_in1),
            "irreps_in2": _irreps_string(self.irreps_in2),
            "irreps_out": _irreps_string(self.irreps_out),
            "instructions": specs,
            "irrep_normalization": irrep_normalization or "component",
            "path_normalization": path_normalization or "element",
            "shared_weights": self.shared_weights,
            "in1_var": variances(in1_var),
            "in2_var": variances(in2_var),
            "out_var": variances(out_var),
        }
        # Validation (irreps, instruction rules, variance lengths) happens here, in C++.
        self._plan = torch.classes.equifuse.TensorProductPlan(json.dumps(problem))
        self.instructions = [
            _Instruction(i1, i2, io, mode, has_weight, coefficient, tuple(shape))
            for i1, i2, io, mode, has_weight, coefficient, shape in json.loads(self._plan.instructions_json())
        ]
        self.weight_numel = int(self._plan.weight_numel())
        self._in1_dim = int(self._plan.dim_in1())
        self._in2_dim = int(self._plan.dim_in2())
        self._out_dim = int(self._plan.dim_out())

        if self.internal_weights and self.weight_numel > 0:
            self.weight = torch.nn.Parameter(torch.randn(self.weight_numel))
        else:
            self.register_buffer("weight", torch.Tensor())
        # Same buffer as e3nn (1 where an output block has a path), so state_dicts load strictly.
        mask = []
        for i_out, (mul, l, _) in enumerate(_entries(_irreps_string(self.irreps_out))):
            used = any(
                ins.i_out == i_out and ins.path_weight != 0 and 0 not in ins.path_shape
                for ins in self.instructions
            )
            mask.append(torch.full((mul * (2 * l + 1),), 1.0 if used else 0.0))
        self.register_buffer("output_mask", torch.cat(mask) if mask else torch.ones(0))

    def __repr__(self) -> str:
        # describe() is e3nn's repr with the class name "TensorProduct".
        return self.__class__.__name__ + self._plan.describe()[len("TensorProduct"):]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # e3nn's modules also store their generated code's constant Wigner 3j tables
        # ("_compiled_main_left_right._w3j_*"); equifuse computes its own, so these are dropped.
        for key in [k for k in state_dict if k.startswith(prefix + "_compiled_main")]:
            del state_dict[key]
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _get_weights(self, weight: Optional[torch.Tensor]) -> torch.Tensor:
        if isinstance(weight, (list, tuple)):  # e3nn also takes one tensor per weighted path
            shapes = [ins.path_shape for ins in self.instructions if ins.has_weight]
            if self.shared_weights:
                weight = torch.cat([w.reshape(math.prod(s)) for w, s in zip(weight, shapes)], dim=-1)
            else:
                weight = torch.cat([w.reshape(-1, math.prod(s)) for w, s in zip(weight, shapes)], dim=-1)
        if weight is None:
            if self.weight_numel > 0 and not self.internal_weights:
                raise RuntimeError(
                    "Weights must be provided when the TensorProduct does not have `internal_weights`"
                )
            return self.weight
        if self.shared_weights:
            if tuple(weight.shape) != (self.weight_numel,):
                raise RuntimeError(
                    f"shared weights must have shape ({self.weight_numel},), got {tuple(weight.shape)}"
                )
        elif weight.dim() < 2 or weight.shape[-1] != self.weight_numel:
            raise RuntimeError(
                f"per-sample weights must have shape (..., {self.weight_numel}), got {tuple(weight.shape)}"
            )
        return weight

    def forward(self, x: torch.Tensor, y: torch.Tensor, weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        if x.shape[-1] != self._in1_dim:
            raise RuntimeError(f"x must have last dimension {self._in1_dim}, got {tuple(x.shape)}")
        if y.shape[-1] != self._in2_dim:
            raise RuntimeError(f"y must have last dimension {self._in2_dim}, got {tuple(y.shape)}")
        weight = self._get_weights(weight)
        dtype = torch.promote_types(x.dtype, y.dtype)
        if self.weight_numel > 0:
            dtype = torch.promote_types(dtype, weight.dtype)
        leading = torch.broadcast_shapes(
            x.shape[:-1], y.shape[:-1], *(() if self.shared_weights else (weight.shape[:-1],))
        )
        rows = math.prod(leading)
        x2 = x.to(dtype).expand(leading + (self._in1_dim,)).reshape(rows, self._in1_dim)
        y2 = y.to(dtype).expand(leading + (self._in2_dim,)).reshape(rows, self._in2_dim)
        if self.weight_numel == 0:
            w2 = x2.new_zeros((self.weight_numel,) if self.shared_weights else (rows, 0))
        elif self.shared_weights:
            w2 = weight.to(dtype)
        else:
            w2 = weight.to(dtype).expand(leading + (self.weight_numel,)).reshape(rows, self.weight_numel)
        out = torch.ops.equifuse.tensor_product(self._plan, x2, y2, w2)
        return out.reshape(leading + (self._out_dim,))

    def weight_views(self, weight: Optional[torch.Tensor] = None, yield_instruction: bool = False):
        """Like e3nn: a view of the weights of each weighted instruction, in order."""
        weight = self._get_weights(weight)
        batch = weight.shape[:-1]
        offset = 0
        for i, ins in enumerate(self.instructions):
            if ins.has_weight:
                size = math.prod(ins.path_shape)
                view = weight.narrow(-1, offset, size).view(batch + ins.path_shape)
                offset += size
                yield (i, ins, view) if yield_instruction else view


class FullyConnectedTensorProduct(TensorProduct):
    """Like ``e3nn.o3.FullyConnectedTensorProduct``: every allowed (in1, in2, out) as a weighted uvw path."""

    def __init__(self, irreps_in1, irreps_in2, irreps_out, irrep_normalization=None,
                 path_normalization=None, **kwargs) -> None:
        a, b, c = (_entries(_irreps_string(_irreps(i))) for i in (irreps_in1, irreps_in2, irreps_out))
        instructions = [
            (i1, i2, io, "uvw", True, 1.0)
            for i1, (_, l1, p1) in enumerate(a)
            for i2, (_, l2, p2) in enumerate(b)
            for io, (_, lo, po) in enumerate(c)
            if po == p1 * p2 and abs(l1 - l2) <= lo <= l1 + l2
        ]
        super().__init__(irreps_in1, irreps_in2, irreps_out, instructions,
                         irrep_normalization=irrep_normalization,
                         path_normalization=path_normalization, **kwargs)
