"""Vectors whose decay costs nothing, and ``y += a * x`` in one pass.

``v *= c`` on every step (the decay of a moving average or a momentum): a
scaled vector is the plain dict ``{"values": V, "scale": s}`` standing for
``v = s * V``, so the decay only multiplies ``s`` and costs no pass over memory.

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


def scaled_zeros(like):
    """Return the scaled vector 0 with the shape, dtype and device of ``like``."""
    values = array_ops(like).zeros(like.shape, like.dtype, like=like)
    return {"values": values, "scale": 1.0}


def decay(vector, factor):
    """Multiply the scaled vector by ``factor`` >= 0, touching its values rarely."""
    vector["scale"] *= factor
    if vector["scale"] < _SMALLEST_SCALE:
        vector["values"] *= vector["scale"]
        vector["scale"] = 1.0


def accumulate(vector, a, x):
    """Add ``a * x`` to the scaled vector in place, in one pass."""
    add_scaled(vector["values"], a / vector["scale"], x)


def dense(vector):
    """Return the scaled vector as a new plain array."""
    return vector["scale"] * vector["values"]
