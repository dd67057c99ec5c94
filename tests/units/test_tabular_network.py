"""Tests of the tabular network's layout, objective and training with skmlp's solver."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from gradient_check import central_difference
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

from skmlp import TabularMLPClassifier
from skmlp._arrays import array_ops
from skmlp._losses import LOSSES
from skmlp._objective import Batch
from skmlp._optimizers import UpdateRule, adam_init
from skmlp._schedules import SCHEDULES, ScheduleSettings
from skmlp._solvers import Observers, run_stochastic
from skmlp._state import TrainingState
from skmlp._tabular_network import (
    Architecture,
    TabularNetwork,
    TabularObjective,
    realmlp_layers,
)
from skmlp._tabular_schedules import epoch_progress, progress_schedule
from skmlp._tabular_training import NetworkSettings, _update_rule, network_layers

SMALL = Architecture(hidden=(5, 4), n_frequencies=4)


def _data(n_samples, n_outputs, seed, classification=True):
    """Return X (3 numeric columns and a 0/1 column), 2-D targets, sample weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 4))
    X[:, 3] = rng.integers(0, 2, n_samples)
    if classification:
        # one column of 0/1 for a logistic output, else one-hot columns
        labels = rng.integers(0, max(n_outputs, 2), n_samples)
        Y = labels[:, None] if n_outputs == 1 else np.eye(n_outputs)[labels]
    else:
        Y = rng.normal(size=(n_samples, n_outputs))
    return X, Y, rng.uniform(0.5, 2.0, n_samples)


def _network(n_outputs, activation="selu"):
    arch = Architecture(SMALL.hidden, activation, n_frequencies=SMALL.n_frequencies)
    return TabularNetwork(realmlp_layers(4, n_outputs, (0, 1, 2), arch))


def _params(network, X, seed):
    """Return initialised parameters moved by N(0, 0.1^2), so no group is uniform."""
    rng = np.random.default_rng(seed)
    params = network.initial_params(X, rng)
    return params + rng.normal(scale=0.1, size=params.shape)


def test_views_tile_the_buffer_layer_by_layer():
    """Check that the named views cover every entry of the buffer once, in order."""
    network = _network(3)
    flat = np.arange(network.size, dtype=float)
    pieces = [view.ravel() for views in network.views(flat) for view in views.values()]
    assert_array_equal(np.concatenate(pieces), flat)
    assert all(
        np.shares_memory(view, flat)
        for views in network.views(flat)
        for view in views.values()
    )


def test_factors_follow_realmlp_td():
    """Check the per-group learning-rate and weight-decay factors of RealMLP-TD."""
    network = _network(2)
    lr, wd = network.factors("lr"), network.factors("weight_decay")
    expected_lr, expected_wd = [], []
    # scale 6; embedding 0.1; W 1 and b 0.1 (b without decay); activations 0.1
    by_group = {"scale": 6.0, "W": 1.0, "b": 0.1, "mix": 0.1}
    for layer in network.layers:
        for name, spec in layer.parameters.items():
            size = int(np.prod(spec.shape))
            expected_lr += [by_group.get(name, 0.1)] * size
            expected_wd += [0.0 if name == "b" else 1.0] * size
    assert_array_equal(lr, expected_lr)
    assert_array_equal(wd, expected_wd)


CASES = {
    "log_loss": ("log_loss", 3, "selu", 0.1, True),
    "binary_log_loss": ("binary_log_loss", 1, "selu", 0.1, True),
    "squared_error": ("squared_error", 2, "mish", 0.0, False),
}


def _objective_for(case, network, seed=5):
    loss, _, _, smoothing, _ = CASES[case]
    objective = TabularObjective(network, LOSSES[loss], smoothing, rng=seed)
    objective.set_progress(0.3)  # dropout at 0.15
    return objective


@pytest.mark.parametrize("case", sorted(CASES))
def test_objective_gradient_matches_finite_differences(case):
    """Check dJ/dparams of the whole network against finite differences."""
    _, n_outputs, activation, _, classification = CASES[case]
    X, Y, sample_weight = _data(9, n_outputs, seed=0, classification=classification)
    network = _network(n_outputs, activation)
    params = _params(network, X, seed=1)
    batch = Batch(X, Y, sample_weight)
    grads = np.full_like(params, np.nan)
    value = _objective_for(case, network).loss_and_gradients(params, batch, grads)

    def value_at(point):
        # A new objective with the same seed draws the same dropout masks.
        scratch = np.empty_like(point)
        return _objective_for(case, network).loss_and_gradients(point, batch, scratch)

    assert np.isfinite(value)
    assert_allclose(grads, central_difference(value_at, params), rtol=1e-6, atol=1e-8)


def test_smoothed_log_loss_matches_sklearn():
    """Check J = (1 - eps) log_loss + eps * mean_i (1/K) sum_k -log p_ik."""
    X, Y, sample_weight = _data(30, 3, seed=2)
    network = _network(3)
    params = _params(network, X, seed=3)
    objective = TabularObjective(network, LOSSES["log_loss"], 0.1, rng=0)
    objective.set_progress(1.0)  # dropout off
    value = objective.loss_and_gradients(
        params, Batch(X, Y, sample_weight), np.empty_like(params)
    )
    P = softmax(network.predict(params, X), axis=1)
    hard = log_loss(Y.argmax(axis=1), P, sample_weight=sample_weight)
    uniform = np.average(-np.log(P).mean(axis=1), weights=sample_weight)
    assert_allclose(value, 0.9 * hard + 0.1 * uniform)


def test_squared_error_is_half_the_mean_squared_error():
    """Check J = mean_squared_error / 2 for one output, with sample weights."""
    X, Y, sample_weight = _data(30, 1, seed=4, classification=False)
    network = _network(1, "mish")
    params = _params(network, X, seed=5)
    objective = TabularObjective(network, LOSSES["squared_error"], rng=0)
    objective.set_progress(1.0)
    value = objective.loss_and_gradients(
        params, Batch(X, Y, sample_weight), np.empty_like(params)
    )
    Z = network.predict(params, X)
    assert_allclose(value, 0.5 * mean_squared_error(Y, Z, sample_weight=sample_weight))


def test_weight_two_equals_repeating_a_sample():
    """Check that a sample weight of 2 gives the J and gradient of a repeated row."""
    X, Y, _ = _data(6, 3, seed=6)
    network = _network(3)
    params = _params(network, X, seed=7)
    objective = TabularObjective(network, LOSSES["log_loss"], 0.1, rng=0)
    objective.set_progress(1.0)
    weight = np.array([2.0, 1, 1, 1, 1, 1])
    grads_weighted, grads_repeated = np.empty_like(params), np.empty_like(params)
    weighted = objective.loss_and_gradients(params, Batch(X, Y, weight), grads_weighted)
    rows = [0, 0, 1, 2, 3, 4, 5]
    repeated = objective.loss_and_gradients(
        params, Batch(X[rows], Y[rows]), grads_repeated
    )
    assert_allclose(weighted, repeated)
    assert_allclose(grads_weighted, grads_repeated, atol=1e-12)


def test_zero_weight_batch_returns_none_and_leaves_grads():
    """Check that a batch of zero total weight gives None and untouched grads."""
    X, Y, _ = _data(5, 3, seed=8)
    network = _network(3)
    params = _params(network, X, seed=9)
    grads = np.full_like(params, 7.0)
    objective = TabularObjective(network, LOSSES["log_loss"])
    assert objective.loss_and_gradients(params, Batch(X, Y, np.zeros(5)), grads) is None
    assert_array_equal(grads, 7.0)


def test_predicts_finite():
    """Check predicts_finite on sound parameters and on an infinite output bias."""
    X, _, _ = _data(5, 3, seed=10)
    network = _network(3)
    params = _params(network, X, seed=11)
    objective = TabularObjective(network, LOSSES["log_loss"])
    assert objective.predicts_finite(params, X)
    params[-1] = np.inf  # the output layer's last bias
    assert not objective.predicts_finite(params, X)


def test_label_smoothing_needs_a_log_loss():
    """Check that label smoothing with squared error is refused, naming both."""
    with pytest.raises(ValueError, match=r"label_smoothing=0.1.*squared_error"):
        TabularObjective(_network(1), LOSSES["squared_error"], 0.1)


def test_initial_outputs_have_unit_spread_on_the_data():
    """Check that data-dependent init gives every output unit std 1 on the data."""
    X, _, _ = _data(200, 3, seed=12)
    network = _network(3)
    params = network.initial_params(X, np.random.default_rng(0))
    assert_allclose(network.predict(params, X).std(axis=0), 1.0)


class _Progress:
    """Epoch hooks of the solver that move the objective's progress t."""

    def __init__(self, objective, max_epochs):
        self.objective, self.max_epochs, self.epoch = objective, max_epochs, 0

    def begin_epoch(self):
        self.objective.set_progress(epoch_progress(self.epoch, self.max_epochs))
        self.epoch += 1

    def end_epoch(self, params):
        pass


def _train(network, objective, data, learning_rate, max_epochs=40):
    """Return the parameters run_stochastic and Adam(beta_2=0.95) reach."""
    rng = np.random.default_rng(0)
    params = network.initial_params(data.X, rng)
    record = progress_schedule("coslog4")
    schedule = {
        "name": "coslog4",
        **record.start(ScheduleSettings(learning_rate, 0.5, max_epochs)),
    }
    adam = adam_init(params, beta_1=0.9, beta_2=0.95, epsilon=1e-8)
    state = TrainingState(params, UpdateRule("adam", adam, schedule))
    plan = SimpleNamespace(
        ops=array_ops(params),
        max_iter=max_epochs,
        batch_size=64,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=np.inf,
        verbose=False,
        incremental=False,
        random_state=np.random.RandomState(0),
    )
    observers = Observers(None, _Progress(objective, max_epochs))
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as patch:
        warnings.simplefilter("ignore", ConvergenceWarning)  # the fixed budget ends
        patch.setitem(SCHEDULES, "coslog4", record)
        run_stochastic(state, objective, data, plan, observers)
    assert state.loss_curve[-1] < state.loss_curve[0]
    return state.params


def test_trained_classifier_beats_logistic_regression():
    """Check that skmlp's solver trains it past logistic regression on XOR data."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(600, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    train, test = slice(0, 400), slice(400, None)
    floor = accuracy_score(
        y[test], LogisticRegression().fit(X[train], y[train]).predict(X[test])
    )
    arch = Architecture(hidden=(32, 32))
    network = TabularNetwork(realmlp_layers(4, 2, range(4), arch))
    objective = TabularObjective(network, LOSSES["log_loss"], 0.1, rng=1)
    params = _train(network, objective, Batch(X[train], np.eye(2)[y[train]]), 0.04)
    predicted = network.predict(params, X[test]).argmax(axis=1)
    accuracy = accuracy_score(y[test], predicted)
    assert accuracy > max(floor + 0.2, 0.8)


def test_trained_regressor_beats_ridge():
    """Check that skmlp's solver trains it past Ridge on a curved target."""
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(600, 3))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.normal(size=600)
    train, test = slice(0, 400), slice(400, None)
    floor = r2_score(y[test], Ridge().fit(X[train], y[train]).predict(X[test]))
    arch = Architecture(hidden=(32, 32), activation="mish")
    network = TabularNetwork(realmlp_layers(3, 1, range(3), arch))
    objective = TabularObjective(network, LOSSES["squared_error"], rng=1)
    params = _train(network, objective, Batch(X[train], y[train, None]), 0.04)
    r2 = r2_score(y[test], network.predict(params, X[test])[:, 0])
    assert r2 > max(floor + 0.2, 0.8)


def _settings(**ablation):
    return NetworkSettings(
        loss="log_loss",
        hidden_layer_sizes=(5,),
        activation="selu",
        n_frequencies=0,
        scaling_layer=True,
        dropout=0.0,
        learning_rate_init=0.01,
        learning_rate_schedule="constant",
        weight_decay=0.02,
        label_smoothing=0.0,
        max_iter=4,
        batch_size=16,
        validation_fraction=None,
        **ablation,
    )


def _layers_and_rule(settings):
    network = TabularNetwork(network_layers(4, 3, (0, 1, 2), settings))
    X = np.random.default_rng(0).normal(size=(20, 4))
    params = network.initial_params(X, np.random.default_rng(1))
    return network, _update_rule(network, params, settings).optimizer


def test_ablation_switches_reach_the_layers_and_the_optimiser():
    """Check the three RealMLP-TD choices the benchmark's ablation turns off."""
    network, default = _layers_and_rule(_settings())
    assert default["beta_2"] == 0.95
    assert set(np.unique(default["lr_factors"])) == {0.1, 1.0, 6.0}

    _, plain_rates = _layers_and_rule(_settings(group_learning_rates=False))
    assert_array_equal(plain_rates["lr_factors"], np.ones(network.size))

    _, other_beta = _layers_and_rule(_settings(beta_2=0.999))
    assert other_beta["beta_2"] == 0.999

    frozen, rule = _layers_and_rule(_settings(parametric_activation=False))
    mix = np.concatenate(
        [views["mix"] for views in frozen.views(rule["lr_factors"]) if "mix" in views]
    )
    assert mix.size == 5 and not mix.any()  # a is never stepped...
    decay = frozen.views(rule["weight_decay_factors"])
    assert not any(
        views["mix"].any() for views in decay if "mix" in views
    )  # ...nor decayed


def test_a_fixed_activation_mix_stays_at_one_through_training():
    """Check that without parametric activations every a is 1 after fit."""
    X, Y, _ = _data(60, 3, seed=2)
    y = Y.argmax(axis=1)
    model = TabularMLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    model._ablation = {"parametric_activation": False}
    model.fit(X, y)
    trained = TabularMLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    trained.fit(X, y)

    def mixes(fitted):
        views = fitted.network_.views(fitted.params_)
        return np.concatenate([v["mix"] for v in views if "mix" in v])

    assert_array_equal(mixes(model), 1.0)
    assert not np.all(mixes(trained) == 1.0)
