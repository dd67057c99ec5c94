"""Tests of the reductions of the array operations, numpy's and the standard's."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp._arrays import NUMPY, ArrayApiOps

array_api_strict = pytest.importorskip("array_api_strict")
STRICT = ArrayApiOps(array_api_strict)
DTYPES = [np.float32, np.float64]


def _on(ops, array):
    """Return the numpy ``array`` in the library of ``ops``."""
    return array if ops is NUMPY else array_api_strict.asarray(array)


@pytest.mark.parametrize("ops", [NUMPY, STRICT], ids=["numpy", "strict"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_rows", [0, 1, 150, 301])
def test_column_sums_are_the_sums_over_rows(ops, dtype, n_rows):
    """Check column_sums against np.sum over rows, written into ``out``."""
    x = np.random.default_rng(n_rows).normal(size=(n_rows, 7)).astype(dtype)
    out = _on(ops, np.full(7, np.nan, dtype))
    result = ops.column_sums(_on(ops, x), out=out)
    assert result is out
    assert_allclose(np.asarray(out), x.sum(axis=0), rtol=1e-5, atol=1e-5)


def test_numpy_column_sums_keep_up_with_longer_columns():
    """Check that a longer column after a shorter one is summed whole."""
    for n_rows in (3, 40, 2):
        assert_allclose(NUMPY.column_sums(np.ones((n_rows, 2))), [n_rows, n_rows])


@pytest.mark.parametrize("n_columns", [1, 2, 3, 7, 8, 12])
@pytest.mark.parametrize("ops", [NUMPY, STRICT], ids=["numpy", "strict"])
def test_row_reductions_match_numpy(ops, n_columns):
    """Check row_max and row_sum on few columns and on many, as (n, 1) arrays."""
    z = np.random.default_rng(n_columns).normal(size=(9, n_columns))
    assert_allclose(np.asarray(ops.row_max(_on(ops, z))), z.max(axis=1, keepdims=True))
    row_sum = np.asarray(ops.row_sum(_on(ops, z)))
    assert_allclose(row_sum, z.sum(axis=1, keepdims=True), rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "entry, finite", [(1.0, True), (np.nan, False), (np.inf, False), (-np.inf, False)]
)
@pytest.mark.parametrize("shape", [(6,), (2, 3), (5000,)])
def test_all_finite_finds_every_non_finite_entry(dtype, entry, finite, shape):
    """Check all_finite with one special entry, and with squares that overflow."""
    huge = np.finfo(dtype).max / 2  # finite, though its square is not
    x = np.full(shape, huge, dtype)
    x.flat[4] = entry
    with np.errstate(all="raise"):
        assert NUMPY.all_finite(x) is finite
    assert STRICT.all_finite(array_api_strict.asarray(x)) is finite
