"""Numbers for the browser as typed arrays: one home for the encoding charts and replays share.

A spec is `{"dtype": "f8", "bdata": <base64 of the little-endian bytes>}` (plus `"shape"` for a
2-D array), plotly.js 3's own encoding: plotly decodes it in figures without a JSON number per
point, and `static/js/typedarrays.js` decodes the arrays our own scripts read.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import numpy as np

TYPED_DTYPES = {
    np.dtype("int8"): "i1",
    np.dtype("uint8"): "u1",
    np.dtype("int16"): "i2",
    np.dtype("uint16"): "u2",
    np.dtype("int32"): "i4",
    np.dtype("uint32"): "u4",
    np.dtype("float32"): "f4",
    np.dtype("float64"): "f8",
}


def typed(values: Sequence[float] | np.ndarray, dtype: str | None = None) -> dict[str, str]:
    """Numbers as a typed-array spec, in `dtype` ("u2", "f8", …) or else in the array's own."""
    array = np.asarray(values) if dtype is None else np.asarray(values, dtype=np.dtype(dtype))
    array = np.ascontiguousarray(array)
    code = TYPED_DTYPES[array.dtype]
    array = array.astype(array.dtype.newbyteorder("<"), copy=False)
    spec = {"dtype": code, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ",".join(str(n) for n in array.shape)
    return spec


def decode(spec: Mapping[str, str]) -> np.ndarray:
    """The inverse of `typed` (for tests and benchmarks)."""
    dtype = np.dtype(spec["dtype"]).newbyteorder("<")
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)
    if "shape" in spec:
        array = array.reshape([int(n) for n in spec["shape"].split(",")])
    return array
