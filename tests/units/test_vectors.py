"""Tests of the one-pass vector updates: y += a * x, and vectors kept with a scale."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp._arrays import NUMPY
from skmlp._vectors import add_scaled, decay_and_add, dense


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


def _zero_vector(n, dtype=np.float64):
    """Return the scaled vector 0 of length n."""
    return {"values": np.zeros(n, dtype), "scale": 1.0}


def test_scaled_vector_follows_plain_arithmetic_across_folds():
    """Check scale * values against v = c v + a x done plainly, over many steps."""
    rng = np.random.default_rng(2)
    vector, plain = _zero_vector(30), np.zeros(30)
    for _ in range(300):  # a factor of 0.8 folds the scale every ~31 steps
        x = rng.normal(size=30)
        decay_and_add(vector, 0.8, 0.2, x, NUMPY)
        plain = 0.8 * plain + 0.2 * x
        assert vector["scale"] >= 2.0**-10
    assert_allclose(dense(vector), plain, rtol=1e-12)


def test_scaled_vector_decay_does_not_touch_the_values_until_it_folds():
    """Check that a decay changes only the scale, until the scale gets small."""
    vector = _zero_vector(4, np.float32)
    decay_and_add(vector, 1.0, 1.0, np.ones(4, dtype=np.float32), NUMPY)
    decay_and_add(vector, 0.5, 0.0, np.ones(4, dtype=np.float32), NUMPY)
    assert vector["scale"] == 0.5
    assert_allclose(vector["values"], 1.0, rtol=0)
    assert_allclose(dense(vector), 0.5, rtol=0)
    # A factor of 0 empties the vector: 0 * v + 2 * x
    decay_and_add(vector, 0.0, 2.0, np.ones(4, dtype=np.float32), NUMPY)
    assert vector["scale"] == 1.0
    assert_allclose(vector["values"], 2.0, rtol=0)
    assert vector["values"].dtype == np.float32


def test_decay_and_add_divides_by_the_scale():
    """Check that a * x is added to s * V, so V grows by (a / s) x."""
    vector = _zero_vector(3)
    decay_and_add(vector, 0.25, 2.0, np.array([1.0, -2.0, 4.0]), NUMPY)
    # 0.25 * V = 2 x  gives  V = 8 x
    assert vector["scale"] == 0.25
    assert_allclose(vector["values"], [8.0, -16.0, 32.0], rtol=1e-15)
    assert_allclose(dense(vector), [2.0, -4.0, 8.0], rtol=1e-15)


def test_dense_returns_a_new_array():
    """Check that dense gives s * V in an array that is not the values themselves."""
    vector = _zero_vector(5)
    decay_and_add(vector, 1.0, 1.0, np.arange(5.0), NUMPY)
    array = dense(vector)
    array[...] = -1.0
    assert_allclose(vector["values"], np.arange(5.0), rtol=0)
