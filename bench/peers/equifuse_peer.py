"""equifuse through its PyTorch frontend (python/equifuse_torch), as a user of the ops sees it."""

from . import Adapter, device as peers_device, PeerUnavailable


class EquifuseAdapter(Adapter):
    name = "equifuse"

    def __init__(self, problem, dtype):
        try:
            import equifuse_torch
        except ImportError as exc:
            raise PeerUnavailable(str(exc)) from exc
        self.module = equifuse_torch.TensorProduct(
            problem.irreps_in1, problem.irreps_in2, problem.irreps_out, problem.instructions,
            shared_weights=problem.shared_weights, internal_weights=False).to(peers_device(), dtype)

    def __call__(self, x, y, w):
        return self.module(x, y, w)
