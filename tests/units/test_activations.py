"""Tests of the activation functions and their derivatives."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit, ndtr
from scipy.special import softmax as scipy_softmax

from skmlp._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS

# The formulas written independently of skmlp; a new hidden activation needs an
# entry here, and the tests below fail with a KeyError until it has one.
FORMULAS = {
    "identity": lambda z: z.copy(),
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "softplus": lambda z: np.log(1 + np.exp(z)),
    "silu": lambda z: z / (1 + np.exp(-z)),
    "gelu": lambda z: z * ndtr(z),  # z times the standard normal CDF
}


def _derivative_argument(activation, z, a):
    """Return what ``activation.derivative`` takes: the output a, or z."""
    return z if activation.derivative_takes == "z" else a


def _pre_activations(seed, shape=(6, 5)):
    """Return pre-activations in [-4, 4] at least 0.1 away from 0 (relu's kink)."""
    z = np.random.RandomState(seed).uniform(-4, 4, size=shape)
    return np.sign(z) * (0.1 + np.abs(z))


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_function_matches_formula_in_place(name):
    """Check that each hidden activation overwrites z with the formula f(z)."""
    z = _pre_activations(seed=0)
    expected = FORMULAS[name](z.copy())
    returned = HIDDEN_ACTIVATIONS[name].function(z)
    assert returned is None or np.shares_memory(returned, z)
    assert_allclose(z, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_function_keeps_float32(name):
    """Check that each hidden activation works in float32 without upcasting."""
    z64 = _pre_activations(seed=1)
    z32 = z64.astype(np.float32)
    HIDDEN_ACTIVATIONS[name].function(z32)
    assert z32.dtype == np.float32
    assert_allclose(z32, FORMULAS[name](z64), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_function_is_quiet_for_large_inputs(name, dtype):
    """Check that no activation warns on inputs near its dtype's largest value."""
    big = np.finfo(dtype).max / 4
    z = np.array([[-big, -1e3, -1.0, 0.0, 1.0, 1e3, big]], dtype=dtype)
    with np.errstate(over="ignore"):
        expected = FORMULAS[name](z.astype(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        HIDDEN_ACTIVATIONS[name].function(z)
    # The formulas themselves may overflow to inf where f(z) is finite.
    finite = np.isfinite(expected)
    assert_allclose(z[finite], expected[finite].astype(dtype), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_derivative_matches_finite_difference(name):
    """Check that derivative(a or z, delta) multiplies delta by f'(z) numerically."""
    activation = HIDDEN_ACTIVATIONS[name]
    z = _pre_activations(seed=2)
    delta = np.random.RandomState(3).normal(size=z.shape)
    h = 1e-6

    def f(values):
        values = values.copy()
        activation.function(values)
        return values

    slope = (f(z + h) - f(z - h)) / (2 * h)
    result = delta.copy()
    activation.derivative(_derivative_argument(activation, z, f(z)), result)
    assert_allclose(result, delta * slope, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(HIDDEN_ACTIVATIONS))
def test_hidden_derivative_leaves_its_argument_unchanged(name):
    """Check that derivative(a or z, delta) only writes into delta."""
    activation = HIDDEN_ACTIVATIONS[name]
    z = _pre_activations(seed=4)
    a = z.copy()
    activation.function(a)
    argument = _derivative_argument(activation, z, a)
    before = argument.copy()
    activation.derivative(argument, np.ones_like(argument))
    assert_allclose(argument, before, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["identity", "logistic"])
def test_shared_output_activations_match_hidden_ones(name):
    """Check that the identity and logistic outputs compute the hidden formulas."""
    z = _pre_activations(seed=5)
    expected = FORMULAS[name](z.copy())
    OUTPUT_ACTIVATIONS[name].function(z)
    assert_allclose(z, expected, rtol=1e-12, atol=1e-15)


def test_softmax_matches_formula_and_rows_sum_to_one():
    """Check that softmax gives exp(z) / sum(exp(z)) per row, rows summing to 1."""
    z = np.random.RandomState(6).normal(scale=3, size=(7, 4))
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    OUTPUT_ACTIVATIONS["softmax"].function(z)
    assert_allclose(z, expected, rtol=1e-12)
    assert_allclose(z.sum(axis=1), np.ones(7), rtol=1e-12)


def test_softmax_is_invariant_to_a_constant_per_row():
    """Check that adding a constant to each row of z leaves softmax unchanged."""
    rng = np.random.RandomState(7)
    z = rng.normal(size=(5, 3))
    shifted = z + rng.uniform(-50, 50, size=(5, 1))
    OUTPUT_ACTIVATIONS["softmax"].function(z)
    OUTPUT_ACTIVATIONS["softmax"].function(shifted)
    assert_allclose(shifted, z, rtol=1e-10)


def test_softmax_is_finite_for_large_inputs():
    """Check that softmax of z around 1000 is finite and matches scipy's."""
    z = np.array([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1000.5]])
    expected = scipy_softmax(z, axis=1)
    OUTPUT_ACTIVATIONS["softmax"].function(z)
    assert np.isfinite(z).all()
    assert_allclose(z, expected, rtol=1e-12)


def test_exp_output_matches_formula():
    """Check that the exp output activation overwrites z with exp(z)."""
    z = np.random.RandomState(8).uniform(-3, 3, size=(4, 3))
    expected = np.exp(z)
    OUTPUT_ACTIVATIONS["exp"].function(z)
    assert_allclose(z, expected, rtol=1e-14)
