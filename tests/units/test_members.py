"""Tests of the ensemble members: their layers, the objective over members, the mean."""

import math

import numpy as np
import pytest
from gradient_check import central_difference
from layer_views import layer_size, layer_views
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax

from skmlp._layers import NONLINEARITIES, Dense, ParametricActivation, Scale
from skmlp._losses import LOSSES
from skmlp._members import MemberDense, MemberMean, MemberScale, member_head
from skmlp._objective import Batch
from skmlp._tabular_network import TabularNetwork, TabularObjective

K = 3  # members


def _member_params(views, m):
    """Return member m's parameters alone, laid out as its single network's."""
    shared = [view.ravel() for layer in views[1:3] for view in layer.values()]
    head = views[3]
    return np.concatenate(
        [views[0]["scale"][m], *shared, head["W"][m].ravel(), head["b"][m]]
    )


def _random(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize(
    ("layer", "n_rows"), [(MemberScale(4, K), 5), (MemberDense(4, 2, K), K * 5)]
)
def test_member_layers_backward_matches_finite_differences(layer, n_rows):
    """Check dL/dtheta and dL/dX of L = sum(R * A) against central differences."""
    X, flat = _random((n_rows, layer.n_in), 0), _random(layer_size(layer), 1)
    A, cache = layer.forward(layer_views(layer, flat), X, None)
    assert A.shape == (K * 5, layer.n_out)
    R = _random(A.shape, 2)
    grads = np.full_like(flat, np.nan)
    dX = layer.backward(layer_views(layer, flat), cache, R, layer_views(layer, grads))

    def loss(params, inputs):
        return float(
            np.sum(R * layer.forward(layer_views(layer, params), inputs, None)[0])
        )

    numeric_params = central_difference(lambda p: loss(p, X), flat)
    assert_allclose(grads, numeric_params, rtol=1e-6, atol=1e-8)
    numeric_X = central_difference(lambda x: loss(flat, x), X)
    assert_allclose(dX, numeric_X, rtol=1e-6, atol=1e-8)


def test_member_scale_repeats_the_input_once_per_member():
    """Check A = [X * r_1; X * r_2; X * r_3] and adapters that start at +-1."""
    layer, X = MemberScale(4, K), _random((6, 4), 0)
    flat = np.empty(layer_size(layer))
    layer.init(layer_views(layer, flat), X, np.random.default_rng(0))
    assert set(np.unique(flat)) == {-1.0, 1.0}
    r = layer_views(layer, flat)["scale"]
    A, _ = layer.forward(layer_views(layer, flat), X, None)
    assert_allclose(A, np.vstack([X * r[m] for m in range(K)]))


def test_frozen_member_scale_is_neither_stepped_nor_decayed():
    """Check the factors of adapters kept at their random signs."""
    spec = MemberScale(4, K, trainable=False).parameters["scale"]
    assert (spec.lr_factor, spec.weight_decay_factor) == (0.0, 0.0)
    assert MemberScale(4, K).parameters["scale"].lr_factor == 6.0


def test_member_dense_is_one_dense_layer_per_member():
    """Check that member m's block of rows goes through its own W_m and b_m."""
    layer = MemberDense(4, 2, K)
    flat, H = _random(layer_size(layer), 0), _random((K * 5, 4), 1)
    p = layer_views(layer, flat)
    Z, _ = layer.forward(p, H, None)
    for m in range(K):
        single = {"W": p["W"][m], "b": p["b"][m]}
        expected, _ = Dense(4, 2).forward(single, H[5 * m : 5 * (m + 1)], None)
        assert_allclose(Z[5 * m : 5 * (m + 1)], expected)


def test_member_dense_init_fits_each_head_to_its_own_rows():
    """Check unit-spread pre-activations per member, on rows of different scales."""
    layer = MemberDense(3, 4, K)
    blocks = [_random((50, 3), m) * (m + 1) + m for m in range(K)]
    flat = np.empty(layer_size(layer))
    p = layer_views(layer, flat)
    layer.init(p, np.vstack(blocks), np.random.default_rng(0))
    for m, H in enumerate(blocks):
        Z = H @ p["W"][m] / math.sqrt(3)
        assert_allclose(Z.std(axis=0), np.ones(4))


def test_member_mean_averages_probabilities_or_values():
    """Check softmax of the mean = mean of the softmaxes; values averaged; training."""
    Z = _random((K * 4, 3), 0)
    blocks = Z.reshape(K, 4, 3)
    classes = MemberMean(3, K, probabilities=True)
    mean_logits, _ = classes.forward({}, Z, None)
    assert_allclose(softmax(mean_logits, axis=1), softmax(blocks, axis=2).mean(axis=0))
    values, _ = MemberMean(3, K, probabilities=False).forward({}, Z, None)
    assert_allclose(values, blocks.mean(axis=0))
    training, _ = classes.forward({}, Z, object())
    assert training is Z
    assert classes.backward({}, None, Z, {}) is Z


def _member_network(n_outputs, probabilities, k=K):
    selu = NONLINEARITIES["selu"]
    layers = [MemberScale(4, k), Dense(4, 5), ParametricActivation(5, selu)]
    return TabularNetwork(layers + member_head(5, n_outputs, k, probabilities))


CASES = {"log_loss": (3, True, 0.1), "squared_error": (2, False, 0.0)}


def _batch(n_outputs, classification, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 4))
    if classification:
        Y = np.eye(n_outputs)[rng.integers(0, n_outputs, 6)]
    else:
        Y = rng.normal(size=(6, n_outputs))
    return Batch(X, Y, rng.uniform(0.5, 2.0, 6))


def _case(loss):
    """Return a network of members, a batch, initial parameters and the objective."""
    n_outputs, probabilities, smoothing = CASES[loss]
    network = _member_network(n_outputs, probabilities)
    batch = _batch(n_outputs, probabilities)
    params = network.initial_params(batch.X, np.random.default_rng(1))
    objective = TabularObjective(network, LOSSES[loss], smoothing, rng=0)
    return network, batch, params, objective


@pytest.mark.parametrize("loss", sorted(CASES))
def test_objective_over_members_matches_finite_differences(loss):
    """Check dJ/dparams of a network of members against central differences."""
    _, batch, params, objective = _case(loss)
    params += _random(params.shape, 2) * 0.1
    grads = np.full_like(params, np.nan)
    objective.loss_and_gradients(params, batch, grads)

    def value_at(point):
        return objective.loss_and_gradients(point, batch, np.empty_like(point))

    assert_allclose(grads, central_difference(value_at, params), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("loss", sorted(CASES))
def test_objective_is_the_mean_of_the_members_objectives(loss):
    """Check J of k members = mean over m of J of the single network of member m."""
    network, batch, params, objective = _case(loss)
    n_outputs, _, smoothing = CASES[loss]
    p = network.views(params)
    value = objective.loss_and_gradients(params, batch, np.empty_like(params))
    selu = NONLINEARITIES["selu"]
    single = TabularNetwork(
        [Scale(4), Dense(4, 5), ParametricActivation(5, selu), Dense(5, n_outputs)]
    )
    per_member = []
    for m in range(K):
        theta = _member_params(p, m)
        objective = TabularObjective(single, LOSSES[loss], smoothing)
        per_member.append(
            objective.loss_and_gradients(theta, batch, np.empty_like(theta))
        )
    assert_allclose(value, np.mean(per_member))


def test_identical_members_predict_as_one_network():
    """Check that k copies of one member predict what that member predicts alone."""
    network = _member_network(3, probabilities=True)
    X = _random((8, 4), 0)
    params = network.initial_params(X, np.random.default_rng(1))
    p = network.views(params)
    p[0]["scale"][...] = p[0]["scale"][0]
    p[3]["W"][...], p[3]["b"][...] = p[3]["W"][0], p[3]["b"][0]
    lone = TabularNetwork(_member_network(3, True, k=1).layers)
    lone_params = _member_params(p, 0)
    assert network.n_members == K and lone.n_members == 1
    assert_allclose(
        softmax(network.predict(params, X), axis=1),
        softmax(lone.predict(lone_params, X), axis=1),
    )


def test_member_layers_survive_records():
    """Check that a network of members saved as plain data comes back the same."""
    network = _member_network(2, probabilities=False)
    again = TabularNetwork.from_records(network.records())
    assert again.layers == network.layers
    assert_array_equal(again.factors("lr"), network.factors("lr"))
