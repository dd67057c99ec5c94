"""Vectors whose decay costs nothing, and ``y += a * x`` in one pass.

``v = c * v + a * x`` on every step (a moving average, a momentum): a scaled
vector is the plain dict ``{"values": V, "scale": s}`` standing for
``v = s * V``, so the decay ``v *= c`` only multiplies ``s`` and costs no pass
over memory, and ``decay_and_add`` reads and writes V once, to add ``a * x``.

``y += a * x``: numpy computes ``a * x`` into a temporary and then adds it,
reading and writing memory twice; ``add_scaled`` does it in one BLAS pass for
numpy arrays (see ``_arrays``).

Optimiser steps and the L2 term are made of such updates on vectors as long as
the parameter buffer.
"""

from ._arrays import array_ops

# Below this, ``scale`` is folded into ``values``: every ~65 steps for a decay of
# 0.9, so ``values`` stays within a factor 1000 of the vector it stands for.
_SMALLEST_SCALE = 2.0**-10


def add_scaled(y, a, x):
    """Add ``a * x`` to ``y`` in place and return ``y``.

    ``x`` and ``y`` are contiguous vectors of one dtype and library (flat
    buffers and slices of them).
    """
    return array_ops(y).add_scaled(y, a, x)


def decay_and_add(vector, factor, a, x, ops):
    """Set the scaled vector v to ``factor * v + a * x``, in one pass over x.

    ``factor`` >= 0 only multiplies the scale, until the scale gets small and
    is folded into the values; ``ops`` are the array operations of x.
    """
    scale = vector["scale"] * factor
    if scale < _SMALLEST_SCALE:
        vector["values"] *= scale
        scale = 1.0
    vector["scale"] = scale
    ops.add_scaled(vector["values"], a / scale, x)


def dense(vector):
    """Return the scaled vector as a new plain array."""
    return vector["scale"] * vector["values"]
