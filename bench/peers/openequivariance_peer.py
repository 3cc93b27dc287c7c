"""OpenEquivariance (PyPI `openequivariance`): its TensorProduct on a TPProblem with e3nn's
irreps and instructions; weights reordered with its own e3nn conversion."""

import numpy as np

from . import Adapter, PeerUnavailable, ProblemUnsupported


class OpenEquivarianceAdapter(Adapter):
    name = "openequivariance"

    def __init__(self, problem, dtype):
        try:
            import openequivariance as oeq
        except Exception as exc:  # its import JIT-builds an extension, which may fail
            raise PeerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        import torch

        np_dtype = np.float64 if dtype == torch.float64 else np.float32
        try:
            spec = oeq.TPProblem(str(problem.irreps_in1), str(problem.irreps_in2), str(problem.irreps_out),
                                 [tuple(i) for i in problem.instructions],
                                 shared_weights=problem.shared_weights, internal_weights=False,
                                 irrep_dtype=np_dtype, weight_dtype=np_dtype)
            self.module = oeq.TensorProduct(spec)
        except Exception as exc:
            raise ProblemUnsupported(f"{type(exc).__name__}: {exc}") from exc
        self.batched = not problem.shared_weights

    def __call__(self, x, y, w):
        return self.module(x, y, w)

    def weights_in(self, w):
        return self.module.reorder_weights_from_e3nn(w, has_batch_dim=self.batched)

    def grad_weights_out(self, gw):
        return self.module.reorder_weights_to_e3nn(gw, has_batch_dim=self.batched)
