"""Tests of dropout in the estimators: seeded masks, the full network at predict."""

from itertools import combinations

import numpy as np
import pytest
from fit_helpers import (
    CONVERGENCE,
    STOCHASTIC,
    any_weights_differ,
    assert_same_weights,
    classification,
    regression,
)
from numpy.testing import assert_allclose, assert_array_equal

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Dropout


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_dropout_changes_training_but_is_reproducible(estimator_class, solver):
    """Check that dropout changes the weights and two seeded fits are identical."""
    X, y = classification(3) if estimator_class is MLPClassifier else regression()
    params = {
        "hidden_layer_sizes": (10, 6),
        "solver": solver,
        "max_iter": 5,
        "random_state": 0,
    }
    plain = estimator_class(**params).fit(X, y)
    first = estimator_class(dropout=0.3, **params).fit(X, y)
    second = estimator_class(dropout=0.3, **params).fit(X, y)
    other_seed = estimator_class(dropout=0.3, **{**params, "random_state": 1})
    other_seed.fit(X, y)

    assert any_weights_differ(first, plain)
    assert_same_weights(first, second)
    assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert any_weights_differ(first, other_seed)


def _recorded_masks(monkeypatch):
    """Return a list that receives a copy of every set of dropout masks drawn."""
    drawn, draw_masks = [], Dropout.draw_masks

    def recording(self, masks):
        draw_masks(self, masks)
        drawn.append(np.concatenate([mask.ravel() for mask in masks]))

    monkeypatch.setattr(Dropout, "draw_masks", recording)
    return drawn


@pytest.mark.filterwarnings(CONVERGENCE)
def test_dropout_masks_follow_random_state(monkeypatch):
    """Check that the masks of a fit are the same for one seed and differ for two."""
    drawn = _recorded_masks(monkeypatch)
    X, y = regression(n_samples=50)
    params = {"hidden_layer_sizes": (8,), "dropout": 0.5, "max_iter": 2}
    for random_state in (0, 0, 1):
        MLPRegressor(random_state=random_state, **params).fit(X, y)
    first, again, other = drawn[0], drawn[2], drawn[4]
    assert len(drawn) == 6
    assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("random_state", [0, "RandomState"])
def test_every_partial_fit_call_draws_new_dropout_masks(random_state, monkeypatch):
    """Check that repeated partial_fit calls on the same batch draw new masks."""
    drawn = _recorded_masks(monkeypatch)
    X, y = regression(n_samples=50)
    if random_state == "RandomState":
        random_state = np.random.RandomState(0)
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), dropout=0.5, batch_size=50, random_state=random_state
    )
    for _ in range(4):
        reg.partial_fit(X, y)
    # One batch per call: 4 draws of 400 masks each; equal draws would mean the
    # same units are dropped for every sample in every epoch.
    assert len(drawn) == 4
    for first, second in combinations(drawn, 2):
        assert not np.array_equal(first, second)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_prediction_after_dropout_uses_the_full_network():
    """Check that predict is deterministic and is the unthinned forward pass."""
    X, y = regression()
    reg = MLPRegressor(
        hidden_layer_sizes=(10, 6), dropout=0.5, max_iter=10, random_state=0
    ).fit(X, y)
    W, b = reg.coefs_, reg.intercepts_
    hidden = np.maximum(X @ W[0] + b[0], 0)
    hidden = np.maximum(hidden @ W[1] + b[1], 0)
    expected = (hidden @ W[2] + b[2]).ravel()
    first, second = reg.predict(X), reg.predict(X)
    assert_array_equal(first, second)
    assert_allclose(first, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_dropout_with_lbfgs_raises(estimator_class):
    """Check that dropout with the full-batch L-BFGS solver is refused by name."""
    X, y = classification(2, n_samples=40)
    est = estimator_class(solver="lbfgs", dropout=0.2, max_iter=5)
    with pytest.raises(ValueError, match="dropout"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")
