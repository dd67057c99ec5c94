"""Vectors whose decay costs nothing, and ``y += a * x`` in one pass.

``v *= c`` on every step (the decay of a moving average or a momentum): a
``ScaledVector`` keeps ``v = scale * values`` and only multiplies ``scale``,
so the decay costs no pass over memory at all.

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


class ScaledVector:
    """A vector stored as ``scale * values``, so that scaling it is free.

    Parameters
    ----------
    like : array of shape (size,)
        The vector starts at zero, with the size, dtype, library and device
        of ``like``.
    """

    def __init__(self, like):
        xp = array_ops(like)
        self.values = xp.zeros(like.shape, like.dtype, like=like)
        self.scale = 1.0

    def multiply_by(self, factor):
        """Multiply the vector by ``factor`` >= 0, touching ``values`` only rarely."""
        self.scale *= factor
        if self.scale < _SMALLEST_SCALE:
            self.values *= self.scale
            self.scale = 1.0

    def add_scaled(self, a, x):
        """Add ``a * x`` to the vector in place, in one pass."""
        add_scaled(self.values, a / self.scale, x)

    def copy(self):
        """Return an independent copy of the vector."""
        twin = ScaledVector.__new__(ScaledVector)
        twin.values, twin.scale = array_ops(self.values).copy(self.values), self.scale
        return twin

    def state(self):
        """Return the vector as plain values: {'values': array, 'scale': float}."""
        return {"values": self.values, "scale": self.scale}

    @classmethod
    def from_state(cls, state):
        """Return the vector that ``state()`` described."""
        vector = cls.__new__(cls)
        vector.values, vector.scale = state["values"], float(state["scale"])
        return vector

    def toarray(self):
        """Return the vector as a new array."""
        return self.scale * self.values
