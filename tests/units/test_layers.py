"""Tests of the tabular layers: formulas, finite differences, initialisations."""

import math

import numpy as np
import pytest
from gradient_check import central_difference
from layer_views import layer_size, layer_views
from numpy.testing import assert_allclose, assert_array_equal

from skmlp._layers import (
    NONLINEARITIES,
    Dense,
    Dropout,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Training,
)

N_SAMPLES = 7


def _inputs(n_in, seed, margin=0.05):
    """Return N(0, 1) inputs, none closer than ``margin`` to the kink at 0."""
    X = np.random.default_rng(seed).normal(size=(N_SAMPLES, n_in))
    return np.where(np.abs(X) < margin, margin, X)


def _initialised(layer, X, seed):
    """Return flat parameters after ``init`` on X, then moved by N(0, 0.1^2)."""
    rng = np.random.default_rng(seed)
    flat = np.empty(layer_size(layer))
    layer.init(layer_views(layer, flat), X, rng)
    return flat + rng.normal(scale=0.1, size=flat.shape)


def _training(seed=3, progress=0.2):
    """Return a Training whose generator restarts at ``seed`` on every call."""
    return Training(np.random.default_rng(seed), progress)


def _objective(layer, X, flat, R, training):
    """Return L = sum(R * A), A the layer's output (so dL/dA = R)."""
    A, _ = layer.forward(layer_views(layer, flat), X, training() if training else None)
    return float(np.sum(R * A))


def _check_gradients(layer, X, flat, training=None):
    """Assert that backward's dL/dtheta and dL/dX equal central differences."""
    R = np.random.default_rng(11).normal(size=(X.shape[0], layer.n_out))
    views = layer_views(layer, flat)
    A, cache = layer.forward(views, X, training() if training else None)
    assert A.shape == (X.shape[0], layer.n_out)
    grads = np.full_like(flat, np.nan)
    dX = layer.backward(views, cache, R, layer_views(layer, grads))
    numeric_params = central_difference(
        lambda p: _objective(layer, X, p, R, training), flat
    )
    numeric_X = central_difference(lambda x: _objective(layer, x, flat, R, training), X)
    assert_allclose(grads, numeric_params, rtol=1e-6, atol=1e-8)
    assert_allclose(dX, numeric_X, rtol=1e-6, atol=1e-8)


LAYERS = {
    "scale": Scale(4),
    "embedding": PeriodicEmbedding(5, (0, 2, 3), n_frequencies=4, n_values=3),
    "dense": Dense(4, 3),
    "selu": ParametricActivation(4, NONLINEARITIES["selu"]),
    "mish": ParametricActivation(4, NONLINEARITIES["mish"]),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_backward_matches_finite_differences(name):
    """Check a layer's gradients in parameters and inputs by finite differences."""
    layer = LAYERS[name]
    X = _inputs(layer.n_in, seed=0)
    _check_gradients(layer, X, _initialised(layer, X, seed=1))


def test_embedding_gradients_at_larger_frequencies():
    """Check the embedding's gradients with frequencies w of order 1."""
    layer = PeriodicEmbedding(3, (1, 2), n_frequencies=5, n_values=2, sigma=1.0)
    X = _inputs(3, seed=4)
    _check_gradients(layer, X, _initialised(layer, X, seed=5))


def test_dropout_backward_matches_finite_differences():
    """Check dropout's dL/dX against finite differences with the mask held fixed."""
    layer = Dropout(6, rate=0.4)
    X = _inputs(6, seed=2)
    _check_gradients(layer, X, np.empty(0), training=_training)


def test_scale_forward_and_init():
    """Check that the scaling layer starts at 1 and multiplies each column."""
    layer, X = Scale(3), _inputs(3, seed=0)
    flat = np.empty(3)
    layer.init(layer_views(layer, flat), X, np.random.default_rng(0))
    assert_array_equal(flat, np.ones(3))
    flat[:] = [2.0, -1.0, 0.5]
    A, _ = layer.forward(layer_views(layer, flat), X, None)
    assert_allclose(A, X * np.array([2.0, -1.0, 0.5]))


def test_embedding_forward_matches_per_column_formula():
    """Check A = [cos(2 pi w_j x_j + phi_j) @ V_j + beta_j for each numeric j, X]."""
    layer = PeriodicEmbedding(4, (3, 1), n_frequencies=6, n_values=3)
    X = _inputs(4, seed=6)
    flat = _initialised(layer, X, seed=7)
    p = layer_views(layer, flat)
    A, _ = layer.forward(p, X, None)
    expected = []
    for j, column in enumerate((3, 1)):
        u = 2 * np.pi * np.outer(X[:, column], p["frequencies"][j]) + p["phases"][j]
        c = np.cos(u)
        expected.append(c @ p["weights"][j] + p["biases"][j])
    assert_allclose(A, np.hstack([*expected, X]))
    assert layer.n_out == 2 * 3 + 4


def test_embedding_init_follows_realmlp():
    """Check w ~ N(0, 0.1^2), phi in [-pi, pi], V and beta in [-1/4, 1/4]."""
    layer = PeriodicEmbedding(300, tuple(range(300)))
    flat = np.empty(layer_size(layer))
    p = layer_views(layer, flat)
    layer.init(p, np.zeros((2, 300)), np.random.default_rng(0))
    # 4800 draws: the sample std of N(0, 0.1^2) is within 5% of 0.1 with
    # probability far above 1 - 1e-6.
    assert abs(p["frequencies"].std() - 0.1) < 0.005
    assert np.abs(p["phases"]).max() <= np.pi
    assert np.abs(p["phases"]).max() > 0.99 * np.pi
    for name in ("weights", "biases"):
        assert np.abs(p[name]).max() <= 0.25
        assert np.abs(p[name]).max() > 0.24


def test_dense_forward_uses_ntk_scaling():
    """Check Z = X @ W / sqrt(n_in) + b."""
    layer = Dense(5, 2)
    X = _inputs(5, seed=0)
    flat = np.random.default_rng(1).normal(size=layer_size(layer))
    p = layer_views(layer, flat)
    Z, _ = layer.forward(p, X, None)
    assert_allclose(Z, X @ p["W"] / math.sqrt(5) + p["b"])


def test_dense_init_gives_unit_preactivations_with_kinks_in_the_data():
    """Check unit-std pre-activations and each unit's zero inside its data."""
    layer = Dense(6, 40)
    X = np.random.default_rng(0).normal(
        loc=3.0, scale=[1, 2, 3, 4, 5, 6], size=(200, 6)
    )
    flat = np.empty(layer_size(layer))
    p = layer_views(layer, flat)
    layer.init(p, X, np.random.default_rng(1))
    Z = X @ p["W"] / math.sqrt(6)
    assert_allclose(Z.std(axis=0), np.ones(40))
    Z_b = Z + p["b"]
    assert np.all(Z_b.min(axis=0) <= 0)
    assert np.all(Z_b.max(axis=0) >= 0)


def test_dense_init_keeps_a_unit_the_data_does_not_move():
    """Check that init stays finite when an input is constant (zero spread)."""
    layer = Dense(2, 3)
    flat = np.empty(layer_size(layer))
    layer.init(layer_views(layer, flat), np.zeros((10, 2)), np.random.default_rng(0))
    assert np.isfinite(flat).all()


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        # SELU: scale * x for x > 0, scale * alpha * (exp(x) - 1) below, with
        # scale = 1.0507009873554805, alpha = 1.6732632423543772 (Klambauer et al.)
        ("selu", 1.0, 1.0507009873554805),
        ("selu", -1.0, 1.0507009873554805 * 1.6732632423543772 * (math.exp(-1) - 1)),
        # Mish: x tanh(log(1 + e^x)); at 1, tanh(log(1 + e)) = 0.8650983882673...
        ("mish", 1.0, math.tanh(math.log1p(math.e))),
        ("mish", -2.0, -2.0 * math.tanh(math.log1p(math.exp(-2.0)))),
    ],
)
def test_nonlinearity_values(name, x, expected):
    """Check SELU and Mish against their definitions at a few points."""
    value = NONLINEARITIES[name].value(np.array([x]))
    assert_allclose(value, [expected], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(NONLINEARITIES))
def test_nonlinearity_derivatives_match_finite_differences(name):
    """Check f' against central differences of f, away from SELU's kink at 0."""
    f = NONLINEARITIES[name]
    x = np.array([-4.0, -1.3, -0.2, 0.3, 1.7, 6.0])
    numeric = (f.value(x + 1e-6) - f.value(x - 1e-6)) / 2e-6
    assert_allclose(f.derivative(x), numeric, rtol=1e-7)


def test_parametric_activation_interpolates_identity_and_f():
    """Check that a = 1 gives f(X), a = 0 gives X, and both start at 1."""
    layer = ParametricActivation(3, NONLINEARITIES["selu"])
    X = _inputs(3, seed=0)
    flat = np.empty(3)
    layer.init(layer_views(layer, flat), X, np.random.default_rng(0))
    assert_array_equal(flat, np.ones(3))
    flat[:] = [1.0, 0.0, 0.5]
    A, _ = layer.forward(layer_views(layer, flat), X, None)
    f = NONLINEARITIES["selu"].value(X)
    assert_allclose(A, np.column_stack([f[:, 0], X[:, 1], (X[:, 2] + f[:, 2]) / 2]))


def test_dropout_rate_follows_flat_cosine():
    """Check the dropped fraction rate * flat_cos(t) and the 1 / (1 - p) scaling."""
    layer = Dropout(200, rate=0.15)
    X = np.ones((500, 200))
    for progress, p in [(0.2, 0.15), (0.75, 0.075), (1.0, 0.0)]:
        A, _ = layer.forward({}, X, _training(progress=progress))
        dropped = np.mean(A == 0)
        # 100,000 Bernoulli draws: the fraction is within 0.005 of p w.h.p.
        assert abs(dropped - p) < 0.005
        # The rate used is p rounded to a multiple of 2^-16 (16 random bits).
        used = layer.current_rate(_training(progress=progress))
        assert abs(used - p) <= 2**-17 and (used * 2**16).is_integer()
        assert_allclose(A[A != 0], 1 / (1 - used))
    A, _ = layer.forward({}, X, None)
    assert A is X


@pytest.mark.parametrize("layer", list(LAYERS.values()), ids=sorted(LAYERS))
def test_layers_keep_float32(layer):
    """Check that float32 inputs and parameters give float32 outputs and grads."""
    X = _inputs(layer.n_in, seed=0).astype(np.float32)
    flat = _initialised(layer, X.astype(float), seed=1).astype(np.float32)
    views = layer_views(layer, flat)
    A, cache = layer.forward(views, X, None)
    grads = np.zeros_like(flat)
    dX = layer.backward(views, cache, np.ones_like(A), layer_views(layer, grads))
    assert A.dtype == np.float32
    assert dX.dtype == np.float32
