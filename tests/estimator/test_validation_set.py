"""Tests of the validation set and scorer of early stopping, against sklearn.metrics."""

import numpy as np
import pytest
from fit_helpers import CONVERGENCE, classification, regression
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    mean_squared_error,
    r2_score,
)
from sklearn.model_selection import GridSearchCV, train_test_split

from skmlp import MLPClassifier, MLPRegressor


def _validation_problem(n_classes=2):
    X, y = classification(n_classes, n_samples=400, seed=3)
    return train_test_split(X, y, test_size=0.3, random_state=3)


def _early_stopping(estimator_class=MLPClassifier, **params):
    defaults = {
        "hidden_layer_sizes": (8,),
        "early_stopping": True,
        "learning_rate_init": 0.01,
        "max_iter": 40,
        "n_iter_no_change": 5,
        "random_state": 0,
    }
    return estimator_class(**{**defaults, **params})


def _macro_f1(estimator, X, y, sample_weight=None):
    """Return the macro F1 score: a scorer callable, not a scikit-learn name."""
    predicted = estimator.predict(X)
    return f1_score(y, predicted, average="macro", sample_weight=sample_weight)


SCORINGS = {
    "None": (
        None,
        lambda est, X, y, w: accuracy_score(y, est.predict(X), sample_weight=w),
    ),
    "loss": (
        "loss",
        lambda est, X, y, w: -log_loss(y, est.predict_proba(X), sample_weight=w),
    ),
    "balanced_accuracy": (
        "balanced_accuracy",
        lambda est, X, y, w: balanced_accuracy_score(
            y, est.predict(X), sample_weight=w
        ),
    ),
    "callable": (
        _macro_f1,
        lambda est, X, y, w: f1_score(
            y, est.predict(X), average="macro", sample_weight=w
        ),
    ),
}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("scoring", sorted(SCORINGS))
def test_best_validation_score_is_the_scorer_on_x_val(scoring, n_classes, use_weights):
    """Check that best_validation_score_ is the scorer of the final model on X_val."""
    X_train, X_val, y_train, y_val = _validation_problem(n_classes)
    weights = np.random.RandomState(4).uniform(0.5, 2.0, len(y_val))
    sample_weight_val = weights if use_weights else None
    scoring_param, metric = SCORINGS[scoring]
    clf = _early_stopping(scoring=scoring_param).fit(
        X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=sample_weight_val
    )
    expected = metric(clf, X_val, y_val, sample_weight_val)
    assert_allclose(clf.best_validation_score_, expected, rtol=1e-9)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # The training loop ran to its end or stopped after n_iter_no_change epochs.
    assert len(clf.validation_scores_) == clf.n_iter_


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(
    "scoring, metric",
    [
        (None, r2_score),
        # 'loss' is the negated half squared error the regressor minimises.
        ("loss", lambda y, p: -0.5 * mean_squared_error(y, p)),
        ("neg_mean_absolute_error", lambda y, p: -np.mean(np.abs(y - p))),
    ],
)
def test_regressor_best_validation_score_is_the_scorer_on_x_val(scoring, metric):
    """Check that a regressor's best_validation_score_ is sklearn.metrics on X_val."""
    X, y = regression(n_samples=300, seed=5)
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=5)
    reg = _early_stopping(MLPRegressor, scoring=scoring).fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    expected = metric(y_val, reg.predict(X_val))
    assert_allclose(reg.best_validation_score_, expected, rtol=1e-9)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_validation_loss_curve_is_the_log_loss_on_x_val(n_classes):
    """Check that validation_loss_curve_ has one entry per epoch, log_loss at best."""
    X_train, X_val, y_train, y_val = _validation_problem(n_classes)
    clf = _early_stopping(scoring="balanced_accuracy").fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    curve = clf.validation_loss_curve_
    assert len(curve) == clf.n_iter_ == len(clf.loss_curve_)
    best_epoch = int(np.argmax(clf.validation_scores_))
    expected = log_loss(y_val, clf.predict_proba(X_val))
    assert_allclose(curve[best_epoch], expected, rtol=1e-9)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_validation_loss_has_no_penalty_and_no_dropout():
    """Check that the validation loss is the plain log loss of the whole network."""
    X_train, X_val, y_train, y_val = _validation_problem(3)
    clf = _early_stopping(scoring="loss", alpha=0.5, dropout=0.5).fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    expected = log_loss(y_val, clf.predict_proba(X_val))
    assert_allclose(min(clf.validation_loss_curve_), expected, rtol=1e-9)
    assert_allclose(-clf.best_validation_score_, expected, rtol=1e-9)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_loss_scoring_is_the_negated_validation_loss():
    """Check that with scoring='loss' every validation score is minus the loss."""
    X_train, X_val, y_train, y_val = _validation_problem(3)
    clf = _early_stopping(scoring="loss").fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    assert_array_equal(clf.validation_scores_, -np.asarray(clf.validation_loss_curve_))
    assert clf.best_validation_score_ == -min(clf.validation_loss_curve_)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_x_val_replaces_the_validation_split():
    """Check that with X_val given every training row is used in every epoch."""
    X_train, X_val, y_train, y_val = _validation_problem(2)
    clf = _early_stopping(validation_fraction=0.5).fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    # t_ counts the training samples seen, as in scikit-learn.
    assert clf.t_ == clf.n_iter_ * len(y_train)
    split = _early_stopping(validation_fraction=0.5).fit(X_train, y_train)
    assert split.t_ == split.n_iter_ * (len(y_train) - len(y_train) // 2)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(
    "params, fits_validation",
    [
        ({"early_stopping": False}, False),
        ({"early_stopping": True}, True),
        ({"early_stopping": False, "solver": "lbfgs"}, False),
    ],
)
def test_validation_loss_curve_exists_only_with_validation(params, fits_validation):
    """Check that validation_loss_curve_ is None unless a validation set is used."""
    X, y = classification(2)
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=15, random_state=0, **params)
    clf.fit(X, y)
    curve = getattr(clf, "validation_loss_curve_", None)
    if fits_validation:
        assert len(curve) == clf.n_iter_
        assert np.isfinite(curve).all()
    else:
        assert curve is None


@pytest.mark.parametrize(
    "fit_params, params, match",
    [
        ({"X_val": "X"}, {"early_stopping": True}, "y_val"),
        ({"y_val": "y"}, {"early_stopping": True}, "X_val"),
        ({"X_val": "X", "y_val": "y"}, {"early_stopping": False}, "early_stopping"),
        (
            {"X_val": "X", "y_val": "y", "sample_weight_val": "w"},
            {"early_stopping": False},
            "early_stopping",
        ),
        (
            {"X_val": "X", "y_val": "y"},
            {"early_stopping": True, "solver": "lbfgs"},
            "early_stopping",
        ),
    ],
)
def test_inconsistent_validation_arguments_raise(fit_params, params, match):
    """Check that X_val needs y_val, and both need early stopping with sgd or adam."""
    X, y = classification(2, n_samples=60)
    data = {"X": X[:20], "y": y[:20], "w": np.ones(20)}
    fit_params = {name: data[value] for name, value in fit_params.items()}
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, **fit_params)
    assert not hasattr(clf, "coefs_")


def test_unknown_scoring_string_raises():
    """Check that a scoring name scikit-learn does not know is refused at fit."""
    X, y = classification(2, n_samples=60)
    clf = _early_stopping(scoring="no_such_metric", max_iter=3)
    with pytest.raises(ValueError, match="no_such_metric"):
        clf.fit(X, y)


@pytest.mark.slow
@pytest.mark.filterwarnings(CONVERGENCE)
def test_scoring_in_grid_search_with_x_val():
    """Check that GridSearchCV tunes scoring and passes X_val and y_val to fit."""
    X_train, X_val, y_train, y_val = _validation_problem(3)
    grid = GridSearchCV(
        _early_stopping(max_iter=20),
        {"scoring": [None, "loss", "balanced_accuracy", _macro_f1]},
        cv=3,
    )
    # X_val has another number of rows than X, so the search does not split it.
    grid.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    best = grid.best_estimator_
    assert best.get_params()["scoring"] is grid.best_params_["scoring"]
    scoring = best.scoring if best.scoring is not None else "None"
    metric = SCORINGS[scoring if isinstance(scoring, str) else "callable"][1]
    assert_allclose(
        best.best_validation_score_, metric(best, X_val, y_val, None), rtol=1e-9
    )
    assert clone(best).scoring is best.scoring
