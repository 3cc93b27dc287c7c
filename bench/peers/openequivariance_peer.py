"""OpenEquivariance (PyPI `openequivariance`, checked against 0.7.0): its TensorProduct on a
TPProblem with e3nn's irreps and instructions; weights reordered with its own e3nn conversion.

0.7.0's API as used here: `TPProblem(irreps_in1, irreps_in2, irreps_out, instructions, ...,
internal_weights=False, shared_weights=..., irrep_dtype=np.float32|np.float64,
weight_dtype=<the same>, layout="mul_ir")` with e3nn's 5-tuples (path weight 1.0 appended), only
"uvu" or only "uvw" instructions, all weighted, irrep_dtype == weight_dtype;
`TensorProduct(problem)` (forward(x, y, W), autograd through double backward),
`reorder_weights_from_e3nn / reorder_weights_to_e3nn(w, has_batch_dim)`. Importing the package
does not fail when its extension cannot be built (0.7.0 records the error in
`BUILT_EXTENSION_ERROR` and raises only when a module is constructed), so that is checked here.
"""

import numpy as np

from . import Adapter, PeerUnavailable, ProblemUnsupported


def import_openequivariance():
    """The module, or PeerUnavailable with the reason (no CUDA torch, extension not built)."""
    try:
        import openequivariance as oeq
    except Exception as exc:  # noqa: BLE001 - its import JIT-builds an extension, which may fail
        raise PeerUnavailable(f"import openequivariance: {type(exc).__name__}: {exc}") from exc
    if hasattr(oeq, "BUILT_EXTENSION") and not oeq.BUILT_EXTENSION:
        raise PeerUnavailable(f"OpenEquivariance extension not built: {str(oeq.BUILT_EXTENSION_ERROR)[:400]}")
    if not hasattr(oeq, "TensorProduct"):
        raise PeerUnavailable("openequivariance imported without its torch frontend (OEQ_NOTORCH=1?)")
    return oeq


def tp_problem(oeq, problem, dtype):
    """oeq.TPProblem of one of our problems; unsupported problems raise ProblemUnsupported."""
    import torch

    if dtype not in (torch.float32, torch.float64):
        raise ProblemUnsupported(f"OpenEquivariance runs float32 and float64, not {dtype}")
    modes = {ins[3] for ins in problem.instructions}
    if len(modes) != 1 or not modes <= {"uvu", "uvw"} or not all(ins[4] for ins in problem.instructions):
        raise ProblemUnsupported(f"OpenEquivariance needs all-uvu or all-uvw weighted instructions, got {sorted(modes)}")
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    try:
        return oeq.TPProblem(str(problem.irreps_in1), str(problem.irreps_in2), str(problem.irreps_out),
                             [tuple(i) for i in problem.instructions],
                             shared_weights=problem.shared_weights, internal_weights=False,
                             irrep_dtype=np_dtype, weight_dtype=np_dtype, label=problem.name)
    except Exception as exc:  # noqa: BLE001
        raise ProblemUnsupported(f"TPProblem: {type(exc).__name__}: {exc}") from exc


class OpenEquivarianceAdapter(Adapter):
    name = "openequivariance"

    def __init__(self, problem, dtype):
        oeq = import_openequivariance()
        spec = tp_problem(oeq, problem, dtype)
        try:
            self.module = oeq.TensorProduct(spec)
        except Exception as exc:  # noqa: BLE001 - e.g. schedule generation out of shared memory
            raise ProblemUnsupported(f"{type(exc).__name__}: {exc}") from exc
        self.batched = not problem.shared_weights
        self.info = {"version": getattr(oeq, "__version__", None)}

    def __call__(self, x, y, w):
        return self.module(x, y, w)

    def weights_in(self, w):
        return self.module.reorder_weights_from_e3nn(w, has_batch_dim=self.batched).contiguous()

    def grad_weights_out(self, gw):
        return self.module.reorder_weights_to_e3nn(gw, has_batch_dim=self.batched)
