"""The one vector update numpy cannot do in a single pass: y += a * x.

numpy computes ``a * x`` into a temporary and then adds it, reading and
writing memory twice; BLAS's axpy does it in one pass. Optimiser steps and the
L2 term are made of such updates on vectors as long as the parameter buffer.
A fit runs scipy's BLAS on a single thread (see ``_base``), so these calls
never compete with numpy's threads for the cores between matrix products.
"""

import numpy as np
from scipy.linalg import blas

_AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}


def add_scaled(y, a, x):
    """Add ``a * x`` to ``y`` in place and return ``y``.

    ``x`` and ``y`` are contiguous vectors of one dtype, float32 or float64
    (flat buffers and slices of them), which BLAS updates without a copy.
    """
    return _AXPY[y.dtype](x, y, a=a)
