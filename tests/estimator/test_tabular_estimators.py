"""Tests of TabularMLPClassifier, TabularMLPRegressor and their update rule."""

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import TabularMLPClassifier, TabularMLPRegressor
from skmlp._layers import Training
from skmlp._tabular_adam import ADAMW, TabularUpdate
from skmlp._tabular_schedules import coslog, flat_cos

SMALL = {"hidden_layer_sizes": (32,), "max_iter": 30, "n_frequencies": 4}
# Mini-batches drawn at random and a random validation split: a row of weight
# 2 and the same row twice land in different batches and splits.
WEIGHTS_ARE_NOT_REPEATS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic mini-batches and a random validation split"
    )
}


@parametrize_with_checks(
    [
        TabularMLPClassifier(**SMALL),
        TabularMLPRegressor(**SMALL),
        TabularMLPClassifier(**SMALL, n_members=3),
        TabularMLPRegressor(**SMALL, n_members=3),
    ],
    expected_failed_checks=lambda estimator: WEIGHTS_ARE_NOT_REPEATS,
)
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's check ``check``."""
    check(estimator)


def _table(n_samples, seed):
    """Return a frame of 2 numeric columns (with NaN) and a string column, and y."""
    rng = np.random.default_rng(seed)
    x0, x1 = rng.normal(size=n_samples), rng.normal(size=n_samples)
    colour = rng.choice(["red", "green", "blue"], size=n_samples)
    signal = x0 + (colour == "red") * 2.0 - x1**2
    x0[rng.random(n_samples) < 0.1] = np.nan
    frame = pd.DataFrame({"x0": x0, "x1": x1, "colour": colour})
    return frame, signal


def test_classifier_learns_a_table_with_string_labels():
    """Check string labels, NaN and an unseen category on a mixed frame."""
    X, signal = _table(400, seed=0)
    y = np.where(signal > np.median(signal), "high", "low")
    model = TabularMLPClassifier(**SMALL, random_state=0).fit(X[:300], y[:300])
    assert_array_equal(model.classes_, ["high", "low"])
    assert model.score(X[300:], y[300:]) > 0.75  # chance is 0.5
    unseen = X[300:].assign(colour="purple")
    assert set(model.predict(unseen)) <= {"high", "low"}
    assert_allclose(model.predict_proba(unseen).sum(axis=1), 1.0)


def test_regressor_predicts_in_the_units_of_y():
    """Check that y -> a y + b changes predictions to a p + b (the target is scaled)."""
    X, signal = _table(300, seed=1)
    first = TabularMLPRegressor(**SMALL, random_state=0).fit(X, signal)
    second = TabularMLPRegressor(**SMALL, random_state=0).fit(X, 1000 * signal + 5e4)
    assert_allclose(second.predict(X), 1000 * first.predict(X) + 5e4, rtol=1e-6)


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_members_predict_the_mean_of_their_own_predictions(Estimator):
    """Check k heads and predictions that average the members' (probabilities)."""
    X, signal = _table(200, seed=5)
    y = signal > np.median(signal) if Estimator is TabularMLPClassifier else signal
    model = Estimator(**SMALL, n_members=3, random_state=0).fit(X, y)
    network, params = model.network_, model.params_
    assert network.n_members == 3
    encoded = model.preprocessor_.transform(X)
    # A training pass without dropout gives every member's own outputs.
    views = network.views(params)
    Z, _ = network.forward(views, encoded, Training(np.random.default_rng(0), 1.0))
    blocks = Z.reshape(3, len(X), -1)
    if Estimator is TabularMLPClassifier:
        mean = softmax(blocks, axis=2).mean(axis=0)
        assert_allclose(model.predict_proba(X), mean)
        assert not np.allclose(blocks[0], blocks[1])  # the members differ
    else:
        expected = blocks.mean(axis=0)[:, 0] * model.y_scale_ + model.y_mean_
        assert_allclose(model.predict(X), expected)


def test_kept_epoch_is_the_best_validation_epoch():
    """Check that best_iteration_ points at the highest validation score."""
    X, signal = _table(300, seed=2)
    model = TabularMLPRegressor(**SMALL, random_state=0).fit(X, signal)
    scores = model.validation_scores_
    assert len(scores) == model.n_iter_ == SMALL["max_iter"]
    assert scores[model.best_iteration_ - 1] == max(scores)


def test_balanced_class_weight_equals_its_sample_weights():
    """Check class_weight='balanced' against sklearn's compute_sample_weight."""
    X, signal = _table(200, seed=3)
    y = (signal > np.quantile(signal, 0.8)).astype(int)
    weighted = TabularMLPClassifier(**SMALL, class_weight="balanced", random_state=0)
    by_rows = TabularMLPClassifier(**SMALL, random_state=0)
    weighted.fit(X, y)
    by_rows.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    assert_allclose(weighted.predict_proba(X), by_rows.predict_proba(X))


def test_failed_fit_leaves_the_model_as_it_was():
    """Check that a fit refused for its weights keeps the fitted attributes."""
    X, signal = _table(100, seed=4)
    model = TabularMLPRegressor(**SMALL, random_state=0).fit(X, signal)
    before = model.predict(X)
    with pytest.raises(ValueError, match=r"(?i)sample.weight"):
        model.fit(X, signal, sample_weight=np.zeros(100))
    assert_array_equal(model.predict(X), before)


def test_adamw_step_matches_the_formula():
    """Check one step against decoupled decay and bias-corrected Adam by hand."""
    rng = np.random.default_rng(5)
    params, grads = rng.normal(size=6), rng.normal(size=6)
    rates, decays = np.array([1, 1, 0.1, 0.1, 6, 6]), np.array([1, 0, 1, 0, 1, 0])
    state = ADAMW.init(
        params,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        lr_factors=rates,
        weight_decay_factors=decays,
    )
    state["weight_decay"] = 0.02
    expected = params * (1 - 0.1 * rates * 0.02 * decays)
    m_hat, v_hat = grads, grads**2  # after one step: (1 - beta) g / (1 - beta)
    expected -= 0.1 * rates * m_hat / (np.sqrt(v_hat) + 1e-8)
    ADAMW.update(params, grads, state, 0.1)
    assert_allclose(params, expected, rtol=1e-12)


def test_update_rule_follows_both_schedules():
    """Check eta_t = eta coslog4(t) and lambda_t = lambda flat_cos(t) per epoch."""
    state = ADAMW.init(
        np.zeros(2),
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        lr_factors=np.ones(2),
        weight_decay_factors=np.ones(2),
    )
    schedule = {
        "learning_rate_init": 0.04,
        "weight_decay": 0.02,
        "shape": "coslog4",
        "max_iter": 10,
    }
    rule = TabularUpdate.start(state, schedule)
    for epoch in range(10):
        t = (epoch + 0.5) / 10
        assert math.isclose(rule.learning_rate, 0.04 * coslog(t))
        assert math.isclose(rule.optimizer["weight_decay"], 0.02 * flat_cos(t))
        rule.end_epoch(None)
