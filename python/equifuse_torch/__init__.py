"""equifuse's PyTorch frontend: tensor-product and graph-convolution custom ops, e3nn-compatible modules.

Importing loads the ops library built next to this file (CMake puts both in
<build>/python/equifuse_torch; set PYTHONPATH=<build>/python) or the one named by the
environment variable EQUIFUSE_TORCH_LIBRARY.
"""

import os as _os

import torch as _torch


def _load_ops() -> str:
    path = _os.environ.get("EQUIFUSE_TORCH_LIBRARY") or _os.path.join(
        _os.path.dirname(__file__), "libequifuse_torch_ops.so"
    )
    if not _os.path.exists(path):
        raise ImportError(
            f"equifuse_torch: ops library {path} not found; build the project with CMake "
            "(EQUIFUSE_WITH_TORCH=ON) and put <build>/python on PYTHONPATH"
        )
    _torch.ops.load_library(path)
    return path


library_path = _load_ops()

from .graph_convolution import ConvolutionGraph, GraphConvolution  # noqa: E402
from .tensor_product import FullyConnectedTensorProduct, TensorProduct  # noqa: E402

__all__ = [
    "TensorProduct",
    "FullyConnectedTensorProduct",
    "GraphConvolution",
    "ConvolutionGraph",
    "library_path",
]
