"""e3nn.o3.TensorProduct, the reference implementation and layout."""

from . import Adapter, device as peers_device


class E3nnAdapter(Adapter):
    name = "e3nn"

    def __init__(self, problem, dtype):
        from e3nn import o3

        self.module = o3.TensorProduct(problem.irreps_in1, problem.irreps_in2, problem.irreps_out,
                                       problem.instructions, shared_weights=problem.shared_weights,
                                       internal_weights=False).to(peers_device(), dtype)

    def __call__(self, x, y, w):
        return self.module(x, y, w)
