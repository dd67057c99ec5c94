"""Tests of a callback that asks training to stop after an epoch."""

import warnings

import numpy as np
import pytest
from callback_helpers import Recording
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, TabularMLPClassifier

STOP_AFTER = 3


class StopAfter(Recording):
    """A recording callback that asks to stop once ``n_epochs`` epochs ended."""

    def __init__(self, n_epochs):
        super().__init__()
        self.n_epochs = n_epochs

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Record the end; return True (stop) at the n-th epoch's end."""
        super().on_fit_task_end(estimator, context, fitted_estimator=fitted_estimator)
        return len(self.finished_epochs()) >= self.n_epochs


def _data():
    return make_classification(n_samples=120, n_features=5, random_state=0)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "sgd"},
        {"solver": "adam", "early_stopping": True, "n_iter_no_change": 50},
        {"solver": "lbfgs"},
    ],
    ids=["adam", "sgd", "early-stopping", "lbfgs"],
)
def test_training_stops_at_the_epoch_a_callback_asks(params):
    """Check n_iter_, the curve and the weights when a callback stops at epoch 3."""
    X, y = _data()
    settings = {"hidden_layer_sizes": (8,), "max_iter": 50, "random_state": 0}
    stopper = StopAfter(STOP_AFTER)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # no max_iter warning
        stopped = MLPClassifier(**settings, **params).set_callbacks(stopper).fit(X, y)

    assert stopped.n_iter_ == STOP_AFTER
    assert len(stopped.loss_curve_) == STOP_AFTER
    # The same as a fit of three epochs, which the callback did not touch.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = MLPClassifier(**{**settings, "max_iter": STOP_AFTER}, **params)
        short.fit(X, y)
    assert_allclose(stopped.loss_curve_, short.loss_curve_)
    for ours, reference in zip(stopped.coefs_, short.coefs_, strict=True):
        assert_allclose(ours, reference)


def test_a_callback_that_never_asks_changes_nothing():
    """Check that a callback returning False lets all max_iter epochs run."""
    X, y = _data()
    never = StopAfter(np.inf)
    model = MLPClassifier((8,), max_iter=7, random_state=0).set_callbacks(never)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 7
    assert len(never.finished_epochs()) == 7


def test_tabular_training_stops_at_the_epoch_a_callback_asks():
    """Check that a tabular network stops after the epoch a callback names."""
    X, y = _data()
    stopper = StopAfter(STOP_AFTER)
    model = TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    model.set_callbacks(stopper).fit(X, y)

    assert model.n_iter_ == STOP_AFTER
    assert len(model.loss_curve_) == STOP_AFTER
    assert len(stopper.finished_epochs()) == STOP_AFTER
