"""Tests of the parameter layout, initialisation, forward and backward."""

from itertools import pairwise

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax

from skmlp._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp._early_stopping import best_epoch
from skmlp._network import (
    ParameterLayout,
    backward,
    forward,
    initial_params,
    layer_buffers,
    predict_output,
)

HIDDEN_FORMULAS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}
OUTPUT_FORMULAS = {
    "identity": lambda z: z,
    "logistic": expit,
    "softmax": lambda z: softmax(z, axis=1),
    "exp": np.exp,
}


def _random_network(layer_units, seed):
    """Return (coefs, intercepts) drawn from N(0, 0.5^2)."""
    rng = np.random.RandomState(seed)
    coefs = [rng.normal(scale=0.5, size=shape) for shape in pairwise(layer_units)]
    intercepts = [rng.normal(scale=0.5, size=n) for n in layer_units[1:]]
    return coefs, intercepts


def test_layout_sizes():
    """Check the coefficient shapes, weight count and total size of a layout."""
    layout = ParameterLayout((3, 4, 2))
    assert layout.coef_shapes == [(3, 4), (4, 2)]
    assert layout.n_coefs == 3 * 4 + 4 * 2
    assert layout.size == 3 * 4 + 4 * 2 + 4 + 2


def test_unpack_orders_coefs_then_intercepts():
    """Check that unpack reads every W in order, then every b, row-major."""
    layout = ParameterLayout((3, 4, 2))
    params = np.arange(layout.size, dtype=float)
    coefs, intercepts = layout.unpack(params)
    assert_array_equal(coefs[0], np.arange(0, 12).reshape(3, 4))
    assert_array_equal(coefs[1], np.arange(12, 20).reshape(4, 2))
    assert_array_equal(intercepts[0], np.arange(20, 24))
    assert_array_equal(intercepts[1], np.arange(24, 26))


def test_unpack_returns_views_into_the_buffer():
    """Check that writing through the unpacked arrays writes the flat buffer."""
    layout = ParameterLayout((2, 3, 1))
    params = np.zeros(layout.size)
    coefs, intercepts = layout.unpack(params)
    for array in [*coefs, *intercepts]:
        assert np.shares_memory(array, params)
        array += 1.0
    assert_array_equal(params, np.ones(layout.size))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pack_round_trip(dtype):
    """Check that pack(unpack(params)) gives back params, copied, in ``dtype``."""
    layout = ParameterLayout((3, 5, 4, 2))
    params = np.random.RandomState(0).normal(size=layout.size).astype(dtype)
    coefs, intercepts = layout.unpack(params)
    packed = layout.pack(coefs, intercepts, dtype)
    assert packed.dtype == dtype
    assert_array_equal(packed, params)
    assert not np.shares_memory(packed, params)


def test_pack_accepts_separately_allocated_arrays():
    """Check that pack places arrays from outside any buffer in layout order."""
    layout = ParameterLayout((2, 3, 1))
    coefs = [np.full((2, 3), 1.0), np.full((3, 1), 2.0)]
    intercepts = [np.full(3, 3.0), np.full(1, 4.0)]
    packed = layout.pack(coefs, intercepts, np.float64)
    assert_array_equal(packed, [1.0] * 6 + [2.0] * 3 + [3.0] * 3 + [4.0])


@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("layer_units", [(3, 2), (3, 4, 2), (5, 4, 3, 1)])
def test_initial_params_follow_sklearn_draw_order(activation, layer_units):
    """Check initial_params against RandomState draws of W then b per layer."""
    seed = 42
    params = initial_params(
        ParameterLayout(layer_units),
        HIDDEN_ACTIVATIONS[activation].init_gain,
        np.random.RandomState(seed),
        np.float64,
    )
    # scikit-learn's _init_coef: for each layer, W ~ U(-r, r) of shape
    # (fan_in, fan_out), then b ~ U(-r, r) of shape (fan_out,), with
    # r = sqrt(2 / (fan_in + fan_out)) for logistic and sqrt(6 / ...) otherwise.
    rng = np.random.RandomState(seed)
    coefs, intercepts = [], []
    for fan_in, fan_out in pairwise(layer_units):
        factor = 2.0 if activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rng.uniform(-bound, bound, fan_out))
    expected = np.concatenate([a.ravel() for a in [*coefs, *intercepts]])
    assert_array_equal(params, expected)


def test_initial_params_in_float32_are_the_float64_draws_cast():
    """Check that float32 initialisation rounds the same draws as float64."""
    layout = ParameterLayout((4, 3, 2))
    params32 = initial_params(layout, 6.0, np.random.RandomState(7), np.float32)
    params64 = initial_params(layout, 6.0, np.random.RandomState(7), np.float64)
    assert params32.dtype == np.float32
    assert_array_equal(params32, params64.astype(np.float32))


def _forward_by_hand(X, coefs, intercepts, hidden, output):
    """Return a_L computed with the plain formulas a_l = f(a_{l-1} @ W_l + b_l)."""
    a = X
    for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = a @ W + b
        last = layer == len(coefs) - 1
        a = OUTPUT_FORMULAS[output](z) if last else HIDDEN_FORMULAS[hidden](z)
    return a


def _forward(X, coefs, intercepts, hidden, output):
    """Return a_L from skmlp's forward, with freshly allocated buffers."""
    units = [len(b) for b in intercepts]
    activations = [X, *layer_buffers(X.shape[0], units, np.float64)]
    return forward(
        activations,
        coefs,
        intercepts,
        HIDDEN_ACTIVATIONS[hidden],
        OUTPUT_ACTIVATIONS[output],
    )


@pytest.mark.parametrize("hidden", sorted(HIDDEN_FORMULAS))
@pytest.mark.parametrize("output", sorted(OUTPUT_FORMULAS))
@pytest.mark.parametrize("layer_units", [(3, 2), (3, 4, 2), (3, 4, 5, 2)])
def test_forward_matches_formula(hidden, output, layer_units):
    """Check that forward equals a_l = f(a_{l-1} @ W_l + b_l) computed by hand."""
    coefs, intercepts = _random_network(layer_units, seed=1)
    X = np.random.RandomState(2).normal(size=(6, layer_units[0]))
    expected = _forward_by_hand(X, coefs, intercepts, hidden, output)
    result = _forward(X, coefs, intercepts, hidden, output)
    assert_allclose(result, expected, rtol=1e-12, atol=1e-14)


def test_forward_keeps_every_layer_activation():
    """Check that forward leaves a_l of every layer in its buffer."""
    layer_units = (3, 4, 5, 2)
    coefs, intercepts = _random_network(layer_units, seed=3)
    X = np.random.RandomState(4).normal(size=(6, 3))
    activations = [X, *layer_buffers(6, layer_units[1:], np.float64)]
    hidden, output = HIDDEN_ACTIVATIONS["tanh"], OUTPUT_ACTIVATIONS["softmax"]
    forward(activations, coefs, intercepts, hidden, output)
    a1 = np.tanh(X @ coefs[0] + intercepts[0])
    a2 = np.tanh(a1 @ coefs[1] + intercepts[1])
    assert_allclose(activations[1], a1, rtol=1e-12)
    assert_allclose(activations[2], a2, rtol=1e-12)
    assert_allclose(activations[3], softmax(a2 @ coefs[2] + intercepts[2], axis=1))


@pytest.mark.parametrize("hidden", sorted(HIDDEN_FORMULAS))
def test_predict_output_matches_formula(hidden):
    """Check that predict_output equals the hand-computed forward pass."""
    coefs, intercepts = _random_network((3, 4, 2), seed=5)
    X = np.random.RandomState(6).normal(size=(7, 3))
    expected = _forward_by_hand(X, coefs, intercepts, hidden, "logistic")
    result = predict_output(
        X,
        coefs,
        intercepts,
        HIDDEN_ACTIVATIONS[hidden],
        OUTPUT_ACTIVATIONS["logistic"],
    )
    assert_allclose(result, expected, rtol=1e-12)


def test_backward_matches_formula():
    """Check backward against dW = a.T @ delta, db = sum delta, delta recursion."""
    layer_units = (3, 4, 5, 2)
    coefs, intercepts = _random_network(layer_units, seed=7)
    rng = np.random.RandomState(8)
    X = rng.normal(size=(6, 3))
    activations = [X, *layer_buffers(6, layer_units[1:], np.float64)]
    hidden = HIDDEN_ACTIVATIONS["tanh"]
    forward(activations, coefs, intercepts, hidden, OUTPUT_ACTIVATIONS["identity"])
    output_delta = rng.normal(size=(6, 2))
    deltas = layer_buffers(6, layer_units[1:], np.float64)
    deltas[-1][...] = output_delta
    coef_grads = [np.empty_like(W) for W in coefs]
    intercept_grads = [np.empty_like(b) for b in intercepts]
    backward(activations, deltas, coefs, hidden, (coef_grads, intercept_grads))

    # delta_{l-1} = (delta_l @ W_l.T) * (1 - a_{l-1}**2) for tanh
    a0, a1, a2 = X, activations[1], activations[2]
    delta3 = output_delta
    delta2 = (delta3 @ coefs[2].T) * (1 - a2**2)
    delta1 = (delta2 @ coefs[1].T) * (1 - a1**2)
    for layer, (a, delta) in enumerate([(a0, delta1), (a1, delta2), (a2, delta3)]):
        assert_allclose(coef_grads[layer], a.T @ delta, rtol=1e-12)
        assert_allclose(intercept_grads[layer], delta.sum(axis=0), rtol=1e-12)


def _forward_and_backward(X, coefs, intercepts, output_delta):
    """Return (a_L, coef_grads, intercept_grads) with relu hidden layers."""
    n_samples = X.shape[0]
    units = [len(b) for b in intercepts]
    activations = [X, *layer_buffers(n_samples, units, np.float64)]
    hidden = HIDDEN_ACTIVATIONS["relu"]
    A = forward(
        activations, coefs, intercepts, hidden, OUTPUT_ACTIVATIONS["identity"]
    ).copy()
    deltas = layer_buffers(n_samples, units, np.float64)
    deltas[-1][...] = output_delta
    coef_grads = [np.empty_like(W) for W in coefs]
    intercept_grads = [np.empty_like(b) for b in intercepts]
    backward(activations, deltas, coefs, hidden, (coef_grads, intercept_grads))
    return A, coef_grads, intercept_grads


@pytest.mark.parametrize(
    "sparse_container", [sp.csr_matrix, sp.csc_matrix, sp.csr_array]
)
def test_sparse_input_gives_dense_result(sparse_container):
    """Check that forward and backward give the same result for sparse X."""
    layer_units = (6, 4, 3)
    coefs, intercepts = _random_network(layer_units, seed=9)
    rng = np.random.RandomState(10)
    X = rng.normal(size=(8, 6)) * (rng.uniform(size=(8, 6)) < 0.4)
    output_delta = rng.normal(size=(8, 3))
    X_sparse = sparse_container(X)

    A, coef_grads, intercept_grads = _forward_and_backward(
        X, coefs, intercepts, output_delta
    )
    A_sparse, coef_grads_sparse, intercept_grads_sparse = _forward_and_backward(
        X_sparse, coefs, intercepts, output_delta
    )
    assert isinstance(A_sparse, np.ndarray)
    assert_allclose(A_sparse, A, rtol=1e-12)
    for dense, sparse in zip(
        coef_grads + intercept_grads,
        coef_grads_sparse + intercept_grads_sparse,
        strict=True,
    ):
        assert isinstance(sparse, np.ndarray)
        assert_allclose(sparse, dense, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([np.nan, -np.inf], None),
        ([0.5, 0.9, 0.7], 2),
        ([np.nan, 0.2, np.inf, 0.1], 2),  # non-finite scores never win
        ([0.3, 0.3], 1),  # the first of equal bests
    ],
)
def test_best_epoch_counts_from_one_and_skips_non_finite_scores(scores, expected):
    """Check best_epoch on hand-picked score lists."""
    assert best_epoch(scores) == expected
