"""In-place vector updates through BLAS level 1, one pass over memory each.

``y += a * x`` written with numpy costs a temporary and two passes; BLAS
``axpy`` does it in one. The optimisers and the L2 penalty update whole
parameter vectors with these on every batch.
"""

from functools import cache

import numpy as np
from scipy.linalg import blas


@cache
def _routines(dtype):
    return blas.get_blas_funcs(("axpy", "scal"), dtype=np.dtype(dtype))


def add_scaled(y, a, x):
    """Set ``y += a * x`` in place; x and y are contiguous 1-D of one dtype."""
    _check_in_place(y, x)
    axpy, _ = _routines(y.dtype)
    axpy(x, y, a=a)


def scale(x, a):
    """Set ``x *= a`` in place; x is contiguous 1-D."""
    _check_in_place(x, x)
    _, scal = _routines(x.dtype)
    scal(a, x)


def _check_in_place(y, x):
    # BLAS through f2py silently works on a copy when y is not a contiguous
    # array of the routine's dtype, which would lose the update.
    if not (y.flags.c_contiguous and y.ndim == 1 and x.dtype == y.dtype):
        raise TypeError("in-place BLAS update needs contiguous 1-D arrays of one dtype")
