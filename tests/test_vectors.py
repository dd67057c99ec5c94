"""Tests of the one-pass vector update y += a * x."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp._vectors import add_scaled


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_scaled_updates_in_place(dtype):
    """Check that add_scaled writes y + a * x into y itself and returns y."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 50)).astype(dtype)
    y64, x64 = y.astype(np.float64), x.astype(np.float64)
    result = add_scaled(y, 0.3, x)
    assert result is y
    assert y.dtype == dtype
    # Rounding of each term, relative to the terms rather than to their sum.
    error_bound = 4 * np.finfo(dtype).eps * (np.abs(y64) + np.abs(0.3 * x64))
    assert (np.abs(y - (y64 + 0.3 * x64)) <= error_bound).all()


def test_add_scaled_on_part_of_a_buffer_leaves_the_rest():
    """Check that updating a leading slice changes that slice and nothing else."""
    rng = np.random.default_rng(1)
    buffer, x = rng.normal(size=20), rng.normal(size=12)
    before = buffer.copy()
    add_scaled(buffer[:12], -2.0, x)
    assert_allclose(buffer[:12], before[:12] - 2.0 * x, rtol=1e-15)
    assert_allclose(buffer[12:], before[12:], rtol=0, atol=0)
