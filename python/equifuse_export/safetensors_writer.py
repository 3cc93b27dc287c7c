"""A minimal writer of the safetensors layout (no dependency on the safetensors package).

Layout: 8-byte little-endian header length N, N bytes of JSON header, then the raw little-endian
tensor bytes. The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
(offsets relative to the end of the header) and "__metadata__" to a str -> str map.
"""

import json
import struct

import numpy as np

_DTYPES = {np.dtype("float64"): "F64", np.dtype("float32"): "F32", np.dtype("int32"): "I32",
           np.dtype("int64"): "I64"}


def write_safetensors(path, tensors, metadata):
    """tensors: name -> numpy array; metadata: str -> str."""
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        if array.dtype not in _DTYPES:
            raise TypeError(f"tensor '{name}': unsupported dtype {array.dtype}")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # keep tensor data 8-byte aligned
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(encoded)))
        stream.write(encoded)
        for blob in blobs:
            stream.write(blob)
