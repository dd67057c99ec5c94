"""Tests of edge cases that once broke the promise of a usable model.

Each test holds a reproducer of one defect, found by fuzzing skmlp's own
options on hostile data, and checks the promise the defect broke: a fit either
raises a clear ``ValueError`` or returns a model that predicts finite values on
all the rows it was given, saying so when it could not train.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.metrics import get_scorer_names

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Objective

SKLEARN_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


# ------------------------------------------- early stopping's validation rows
def _huge_three_class_problem():
    rng = np.random.RandomState(29)
    return rng.randn(6, 3) * 1e150, np.arange(6) % 3


def _sgd_classifier(**params):
    return MLPClassifier(
        hidden_layer_sizes=(5, 5),
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=20,
        random_state=29,
        **params,
    )


def test_early_stopping_never_keeps_weights_that_fail_on_its_validation_rows():
    """Check that early stopping raises where the fit without it raises."""
    X, y = _huge_three_class_problem()
    # The oracle: the same network trained on all six rows has no usable epoch.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
            _sgd_classifier().fit(X, y)
        clf = _sgd_classifier(early_stopping=True, validation_fraction=0.5)
        with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
            clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


def test_given_validation_rows_count_as_training_rows():
    """Check that a model that overflows on X_val is refused, without a kept-warning."""
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = X @ [1.0, 2.0, -1.0]
    X_val = np.vstack([X[:5], np.full((1, 3), 1e308)])
    y_val = np.r_[y[:5], 0.0]
    params = {"hidden_layer_sizes": (5,), "max_iter": 10, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MLPRegressor(**params).fit(X, y)
        with np.errstate(over="ignore"):
            assert not np.isfinite(plain.predict(X_val[-1:])).all()
    reg = MLPRegressor(early_stopping=True, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
            reg.fit(X, y, X_val=X_val, y_val=y_val)
    assert not any("were kept" in str(w.message) for w in caught)
    assert not hasattr(reg, "coefs_")


# ------------------------------------------------- max_grad_norm on overflow
def _overflowing_problem():
    """Return X, y whose gradients are finite but of a norm past float64's range."""
    rng = np.random.RandomState(0)
    return rng.randn(20, 3) * 1e200, rng.randn(20)


def _robust_linear(**params):
    return MLPRegressor(
        loss="absolute_error",
        solver="sgd",
        hidden_layer_sizes=(),
        random_state=0,
        **params,
    )


def _flat_weights(model):
    return np.concatenate([a.ravel() for a in (*model.coefs_, *model.intercepts_)])


def test_max_grad_norm_clips_a_gradient_whose_squares_overflow():
    """Check that a finite gradient past sqrt(max float) is clipped, not zeroed.

    Without clipping the same fit has no usable epoch; with it, training takes
    clipped steps and keeps finite weights, with no divergence to report.
    """
    X, y = _overflowing_problem()
    with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
        _robust_linear().fit(X, y)
    reg = _robust_linear(max_grad_norm=2.0, learning_rate_init=0.1, max_iter=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X, y)
    assert not any("diverged" in str(w.message) for w in caught)
    assert reg.n_iter_ == 3
    assert np.isfinite(_flat_weights(reg)).all()
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_max_grad_norm_step_on_an_overflowing_square_has_the_clipped_length():
    """Check the clipped step's length: learning_rate_init * max_grad_norm."""
    X, y = _overflowing_problem()
    params = {"momentum": 0.0, "shuffle": False, "batch_size": 20, "max_iter": 1}
    reg = _robust_linear(max_grad_norm=2.0, learning_rate_init=0.1, **params)
    reg.partial_fit(X / 1e200, y)  # a first, ordinary step
    before = _flat_weights(reg)
    reg.partial_fit(X, y)
    moved = np.linalg.norm(_flat_weights(reg) - before)
    np.testing.assert_allclose(moved, 0.1 * 2.0, rtol=1e-12)


# ----------------------------------------------------- scorers of another kind
def _regression_data():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    return X, X @ [1.0, -2.0, 0.5] + 0.1 * rng.randn(30)


@pytest.mark.parametrize("scoring", ["roc_auc", "neg_log_loss", "average_precision"])
def test_regressor_refuses_a_probability_scorer_before_training(scoring, monkeypatch):
    """Check that a scorer needing predict_proba is refused before any epoch runs."""

    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(Objective, "loss_and_gradients", no_training)
    reg = MLPRegressor(early_stopping=True, scoring=scoring)
    with pytest.raises(ValueError, match=rf"scoring='{scoring}'.*predict_proba"):
        reg.fit(*_regression_data())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Clustering metrics:UserWarning")
@pytest.mark.parametrize("scoring", get_scorer_names())
def test_every_scorer_name_fits_or_raises_a_value_error_naming_scoring(scoring):
    """Check that each of scikit-learn's scorer names trains or names ``scoring``."""
    reg = MLPRegressor(
        hidden_layer_sizes=(3,), early_stopping=True, scoring=scoring, max_iter=3
    )
    try:
        reg.fit(*_regression_data())
    except ValueError as error:
        assert f"scoring={scoring!r}" in str(error)
    else:
        assert len(reg.validation_scores_) == reg.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("scoring", ["roc_auc", "neg_log_loss"])
def test_classifier_keeps_its_probability_scorers(scoring):
    """Check that the classifier, which has predict_proba, trains with them."""
    X, y = _regression_data()
    clf = MLPClassifier((3,), early_stopping=True, scoring=scoring, max_iter=3)
    clf.fit(X, y > 0)
    assert np.isfinite(clf.validation_scores_).all()


# ------------------------------------------------------------ elu on big input
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "elu"])
def test_predict_on_large_inputs_warns_nothing(activation):
    """Check that elu, like relu, predicts on inputs of 1e6 to 1e300 silently."""
    X, y = _regression_data()
    reg = MLPRegressor(
        hidden_layer_sizes=(4,), activation=activation, max_iter=5, random_state=0
    )
    reg.fit(X, y)
    for scale in (1e6, 1e100, 1e300):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            assert np.isfinite(reg.predict(scale * X)).all()
