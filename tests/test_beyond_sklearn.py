"""What skmlp offers beyond scikit-learn's MLP, checked against independent oracles.

Class weights (scikit-learn's ``compute_class_weight`` and plain sample
weights), robust and quantile regression (true quantiles of the simulated
noise, clean test targets), a validation set and scorer for early stopping
(``sklearn.metrics`` applied to the returned model), dropout, the hidden layer
as a transformer and the logits (numpy and scipy formulas applied to
``coefs_``), L-BFGS progress and the new parameters' validation. With every new
parameter at its default the weights must still be scikit-learn's.
"""

import re
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax
from scipy.stats import norm
from sklearn import neural_network as sk
from sklearn.base import clone
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    mean_squared_error,
    r2_score,
    recall_score,
)
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Dropout, Objective

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"
SOLVERS = ["lbfgs", "sgd", "adam"]


def _classification(n_classes=2, n_samples=200, seed=0, **kwargs):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
        **kwargs,
    )
    return StandardScaler().fit_transform(X), y


def _regression(n_samples=200, seed=0):
    X, y = make_regression(
        n_samples=n_samples, n_features=5, noise=5.0, random_state=seed
    )
    return StandardScaler().fit_transform(X), y / y.std()


def _assert_same_weights(first, second):
    for mine, other in zip(
        first.coefs_ + first.intercepts_,
        second.coefs_ + second.intercepts_,
        strict=True,
    ):
        assert_array_equal(mine, other)


def _any_weights_differ(first, second):
    return any(
        not np.array_equal(mine, other)
        for mine, other in zip(
            first.coefs_ + first.intercepts_,
            second.coefs_ + second.intercepts_,
            strict=True,
        )
    )


# --------------------------------------------------------------- class_weight
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_balanced_class_weight_equals_explicit_weights(solver, n_classes):
    """Check that 'balanced' equals compute_class_weight's dict and sample weights."""
    X, y = _classification(n_classes, weights=[0.6, 0.3] if n_classes == 3 else [0.8])
    classes = np.unique(y)
    weights = compute_class_weight("balanced", classes=classes, y=y)
    as_dict = dict(zip(classes, weights, strict=True))
    params = {"hidden_layer_sizes": (6,), "max_iter": 8, "random_state": 0}
    params["solver"] = solver

    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    explicit = MLPClassifier(class_weight=as_dict, **params).fit(X, y)
    by_sample = MLPClassifier(**params).fit(X, y, sample_weight=weights[y])
    unweighted = MLPClassifier(**params).fit(X, y)

    _assert_same_weights(balanced, explicit)
    _assert_same_weights(balanced, by_sample)
    assert _any_weights_differ(balanced, unweighted)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_class_weight_multiplies_sample_weight():
    """Check that class_weight with sample_weight trains on their product."""
    X, y = _classification(3, seed=1)
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    params = {"hidden_layer_sizes": (6,), "max_iter": 10, "random_state": 1}
    both = MLPClassifier(class_weight=class_weight, **params)
    both.fit(X, y, sample_weight=sample_weight)
    product = np.array([class_weight[label] for label in y]) * sample_weight
    expected = MLPClassifier(**params).fit(X, y, sample_weight=product)
    _assert_same_weights(both, expected)


def test_class_weight_dict_in_partial_fit_equals_sample_weight():
    """Check that a class_weight dict in partial_fit acts as the sample weights."""
    X, y = _classification(2, seed=2)
    class_weight = {0: 0.4, 1: 2.5}
    params = {"hidden_layer_sizes": (5,), "random_state": 2}
    weighted = MLPClassifier(class_weight=class_weight, **params)
    by_sample = MLPClassifier(**params)
    for chunk in np.array_split(np.arange(len(y)), 3):
        weighted.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        sample_weight = np.where(y[chunk] == 1, 2.5, 0.4)
        by_sample.partial_fit(
            X[chunk], y[chunk], classes=[0, 1], sample_weight=sample_weight
        )
    _assert_same_weights(weighted, by_sample)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.0}])
def test_class_weight_with_multilabel_target_raises(class_weight):
    """Check that class_weight is refused for a multilabel indicator target."""
    X, Y = make_multilabel_classification(n_samples=50, n_classes=3, random_state=0)
    clf = MLPClassifier(class_weight=class_weight, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, Y)
    assert not hasattr(clf, "coefs_")


def test_balanced_class_weight_in_partial_fit_raises():
    """Check that class_weight='balanced' is refused by partial_fit."""
    X, y = _classification(2, n_samples=40)
    clf = MLPClassifier(class_weight="balanced", random_state=0)
    with pytest.raises(ValueError, match="balanced"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "coefs_")


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("seed", [0, 1])
def test_balanced_class_weight_raises_minority_recall(seed):
    """Check that 'balanced' recovers more of a 10% minority class than no weights."""
    X, y = _classification(
        2, n_samples=1000, seed=seed, weights=[0.9], class_sep=0.5, flip_y=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=seed
    )
    params = {
        "hidden_layer_sizes": (8,),
        "learning_rate_init": 0.01,
        "max_iter": 100,
        "random_state": seed,
    }
    recalls = {}
    for class_weight in (None, "balanced"):
        clf = MLPClassifier(class_weight=class_weight, **params)
        clf.fit(X_train, y_train)
        recalls[class_weight] = recall_score(y_test, clf.predict(X_test))
    assert recalls["balanced"] > recalls[None] + 0.15


# ------------------------------------------------------ robust regression losses
def _heteroscedastic(n_samples, seed):
    """Return X in [0, 1] and y = sin(2 pi x) + (0.2 + 0.8 x) * N(0, 1)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 1, (n_samples, 1))
    y = np.sin(2 * np.pi * X[:, 0]) + (0.2 + 0.8 * X[:, 0]) * rng.normal(size=n_samples)
    return X, y


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_quantile_regression_covers_the_requested_fraction(quantile):
    """Check that held-out targets fall below the predicted quantile q of the time."""
    X, y = _heteroscedastic(1000, seed=0)
    X_test, y_test = _heteroscedastic(5000, seed=1)
    reg = MLPRegressor(
        loss="quantile",
        quantile=quantile,
        hidden_layer_sizes=(16,),
        activation="tanh",
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    predicted = reg.predict(X_test)

    # 5000 test draws: the standard error of the coverage is below 0.005.
    assert abs(np.mean(y_test <= predicted) - quantile) < 0.05
    # The noise grows with x, so the quantile moves away from the median
    # sin(2 pi x) by norm.ppf(q) * (0.2 + 0.8 x): further for larger x.
    spread = predicted - np.sin(2 * np.pi * X_test[:, 0])
    low_x, high_x = X_test[:, 0] < 0.5, X_test[:, 0] >= 0.5
    assert (
        np.sign(norm.ppf(quantile)) * (spread[high_x].mean() - spread[low_x].mean())
        > 0.2
    )


@pytest.mark.filterwarnings(CONVERGENCE)
def test_quantile_predictions_are_ordered():
    """Check that the predicted 0.1 quantile lies below the 0.5 and 0.9 ones."""
    X, y = _heteroscedastic(600, seed=2)
    X_test, _ = _heteroscedastic(500, seed=3)
    predictions = [
        MLPRegressor(
            loss="quantile",
            quantile=quantile,
            hidden_layer_sizes=(8,),
            activation="tanh",
            solver="lbfgs",
            max_iter=200,
            random_state=0,
        )
        .fit(X, y)
        .predict(X_test)
        for quantile in (0.1, 0.5, 0.9)
    ]
    assert np.mean(predictions[0] < predictions[1]) > 0.95
    assert np.mean(predictions[1] < predictions[2]) > 0.95


def _linear_with_outliers(seed):
    """Return (X, y, true coefficients): y linear plus 10% gross upward outliers."""
    rng = np.random.RandomState(seed)
    coef = np.array([1.0, -2.0, 0.5])
    X = rng.normal(size=(300, 3))
    y = X @ coef + 0.1 * rng.normal(size=300)
    outliers = rng.rand(300) < 0.1
    y[outliers] += rng.uniform(20, 40, outliers.sum())
    return X, y, coef


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("loss", ["huber", "absolute_error"])
@pytest.mark.parametrize("seed", [0, 1])
def test_robust_losses_resist_outliers(loss, seed):
    """Check that huber and absolute_error recover a linear model despite outliers."""
    X, y, coef = _linear_with_outliers(seed)
    X_test = np.random.RandomState(seed + 100).normal(size=(1000, 3))
    y_test = X_test @ coef
    params = {
        "hidden_layer_sizes": (),
        "solver": "lbfgs",
        "max_iter": 1000,
        "random_state": seed,
    }
    robust = MLPRegressor(loss=loss, **params).fit(X, y)
    squared = MLPRegressor(loss="squared_error", **params).fit(X, y)

    robust_error = np.abs(robust.coefs_[0].ravel() - coef).max()
    squared_error = np.abs(squared.coefs_[0].ravel() - coef).max()
    assert robust_error < 0.1
    assert robust_error < squared_error / 5
    robust_mse = mean_squared_error(y_test, robust.predict(X_test))
    squared_mse = mean_squared_error(y_test, squared.predict(X_test))
    assert robust_mse < squared_mse / 10


@pytest.mark.filterwarnings(CONVERGENCE)
def test_robust_loss_with_hidden_layer_beats_squared_error_on_clean_data():
    """Check that a huber network's clean test error beats squared error's."""
    X, y, coef = _linear_with_outliers(seed=3)
    y = y + np.sin(X[:, 0])
    X_test = np.random.RandomState(103).normal(size=(1000, 3))
    y_test = X_test @ coef + np.sin(X_test[:, 0])
    params = {
        "hidden_layer_sizes": (10,),
        "activation": "tanh",
        "solver": "lbfgs",
        "max_iter": 300,
        "random_state": 3,
    }
    errors = {
        loss: mean_squared_error(
            y_test, MLPRegressor(loss=loss, **params).fit(X, y).predict(X_test)
        )
        for loss in ("squared_error", "huber")
    }
    assert errors["huber"] < errors["squared_error"] / 3


# ------------------------------------------------ validation set and scoring
def _validation_problem(n_classes=2):
    X, y = _classification(n_classes, n_samples=400, seed=3)
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
    """Check best_validation_score_ of a regressor against sklearn.metrics on X_val."""
    X, y = _regression(n_samples=300, seed=5)
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=5)
    reg = _early_stopping(MLPRegressor, scoring=scoring).fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )
    expected = metric(y_val, reg.predict(X_val))
    assert_allclose(reg.best_validation_score_, expected, rtol=1e-9)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_validation_loss_curve_is_the_log_loss_on_x_val(n_classes):
    """Check validation_loss_curve_: one entry per epoch, log_loss at the best one."""
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
    X, y = _classification(2)
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
    X, y = _classification(2, n_samples=60)
    data = {"X": X[:20], "y": y[:20], "w": np.ones(20)}
    fit_params = {name: data[value] for name, value in fit_params.items()}
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, **fit_params)
    assert not hasattr(clf, "coefs_")


def test_unknown_scoring_string_raises():
    """Check that a scoring name scikit-learn does not know is refused at fit."""
    X, y = _classification(2, n_samples=60)
    clf = _early_stopping(scoring="no_such_metric", max_iter=3)
    with pytest.raises(ValueError, match="no_such_metric"):
        clf.fit(X, y)


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


# ------------------------------------------------------------------ dropout
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_dropout_changes_training_but_is_reproducible(estimator_class, solver):
    """Check that dropout changes the weights and two seeded fits are identical."""
    X, y = _classification(3) if estimator_class is MLPClassifier else _regression()
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

    assert _any_weights_differ(first, plain)
    _assert_same_weights(first, second)
    assert_array_equal(first.loss_curve_, second.loss_curve_)
    assert _any_weights_differ(first, other_seed)


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
    X, y = _regression(n_samples=50)
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
    X, y = _regression(n_samples=50)
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
    X, y = _regression()
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
    X, y = _classification(2, n_samples=40)
    est = estimator_class(solver="lbfgs", dropout=0.2, max_iter=5)
    with pytest.raises(ValueError, match="dropout"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


# ------------------------------------------------------- decision_function
def _labelled(n_classes):
    X, y = _classification(n_classes, seed=6)
    labels = np.array(["ant", "bee", "cat"])[:n_classes]
    return X, labels[y]


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_binary_decision_function_is_the_logit(solver):
    """Check that a binary decision_function is 1-D, its sign the class, expit it."""
    X, y = _labelled(2)
    clf = MLPClassifier(
        hidden_layer_sizes=(6,),
        solver=solver,
        learning_rate_init=0.01,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(X),)
    assert (scores > 0).any() and (scores < 0).any()
    assert_array_equal(clf.predict(X), clf.classes_[(scores > 0).astype(int)])
    assert_allclose(clf.predict_proba(X)[:, 1], expit(scores), rtol=1e-12)
    # The logit by hand from the fitted weights.
    hidden = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)
    assert_allclose(scores, (hidden @ clf.coefs_[1] + clf.intercepts_[1]).ravel())


@pytest.mark.filterwarnings(CONVERGENCE)
def test_multiclass_decision_function_gives_predict_and_predict_proba():
    """Check that argmax and softmax of decision_function give predict and proba."""
    X, y = _labelled(3)
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    clf.fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(X), 3)
    assert_array_equal(clf.predict(X), clf.classes_[scores.argmax(axis=1)])
    assert_allclose(clf.predict_proba(X), softmax(scores, axis=1), rtol=1e-12)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_multilabel_decision_function_gives_predict_and_predict_proba():
    """Check that a multilabel decision_function thresholds at 0 and expit is proba."""
    X, Y = make_multilabel_classification(n_samples=100, n_classes=3, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    clf.fit(X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == Y.shape
    assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    assert_allclose(clf.predict_proba(X), expit(scores), rtol=1e-12)


# ---------------------------------------------------------------- transform
# Each activation written independently of skmlp, with numpy and scipy.
HIDDEN_FORMULAS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "silu": lambda z: z / (1 + np.exp(-z)),
    "gelu": lambda z: z * norm.cdf(z),
}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("hidden_layer_sizes", [(7,), (6, 4)])
@pytest.mark.parametrize("activation", sorted(HIDDEN_FORMULAS))
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_transform_is_the_last_hidden_layer(
    estimator_class, activation, hidden_layer_sizes
):
    """Check that transform is the last hidden layer computed by hand from coefs_."""
    X, y = _classification(3) if estimator_class is MLPClassifier else _regression()
    est = estimator_class(
        hidden_layer_sizes=hidden_layer_sizes,
        activation=activation,
        max_iter=10,
        random_state=0,
    ).fit(X, y)
    f = HIDDEN_FORMULAS[activation]
    hidden = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
        hidden = f(hidden @ W + b)
    transformed = est.transform(X)
    assert transformed.shape == (len(X), hidden_layer_sizes[-1])
    assert_allclose(transformed, hidden, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_mlp_as_first_pipeline_step_feeds_its_hidden_layer():
    """Check that an MLP first in a pipeline feeds its hidden layer to the next step."""
    X, y = _classification(3, seed=7)
    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=7)
    mlp_params = {"hidden_layer_sizes": (8,), "max_iter": 50, "random_state": 7}
    pipe = make_pipeline(MLPClassifier(**mlp_params), LogisticRegression())
    pipe.fit(X_train, y_train)

    mlp = MLPClassifier(**mlp_params).fit(X_train, y_train)
    logistic = LogisticRegression().fit(mlp.transform(X_train), y_train)
    assert_array_equal(pipe.predict(X_test), logistic.predict(mlp.transform(X_test)))
    assert_allclose(
        pipe.predict_proba(X_test),
        logistic.predict_proba(mlp.transform(X_test)),
        rtol=1e-10,
    )


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_pandas_output_names_the_hidden_units(estimator_class):
    """Check that set_output(transform='pandas') gives get_feature_names_out columns."""
    X, y = _classification(2) if estimator_class is MLPClassifier else _regression()
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    X.index = X.index + 1000
    est = estimator_class(hidden_layer_sizes=(9, 4), max_iter=5, random_state=0)
    est.fit(X, y)
    plain = est.transform(X)
    frame = est.set_output(transform="pandas").transform(X)

    names = est.get_feature_names_out()
    # scikit-learn's convention for generated features: lowercased class name + i.
    prefix = estimator_class.__name__.lower()
    assert_array_equal(names, [f"{prefix}{i}" for i in range(4)])
    assert isinstance(frame, pd.DataFrame)
    assert_array_equal(frame.columns, names)
    assert_array_equal(frame.index, X.index)
    assert_allclose(frame.to_numpy(), plain, rtol=0, atol=0)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_transform_without_hidden_layer_raises(estimator_class):
    """Check that transform of a network with no hidden layer raises ValueError."""
    X, y = _classification(2) if estimator_class is MLPClassifier else _regression()
    est = estimator_class(hidden_layer_sizes=(), max_iter=5, random_state=0)
    est.fit(X, y)
    with pytest.raises(ValueError, match="hidden"):
        est.transform(X)


# -------------------------------------------------------------- L-BFGS curve
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("max_iter", [5, 200])
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_lbfgs_records_and_prints_one_loss_per_iteration(
    estimator_class, max_iter, capsys
):
    """Check that L-BFGS fills loss_curve_ per iteration and verbose prints them."""
    X, y = _classification(3) if estimator_class is MLPClassifier else _regression()
    est = estimator_class(
        hidden_layer_sizes=(6,),
        solver="lbfgs",
        max_iter=max_iter,
        verbose=True,
        random_state=0,
    ).fit(X, y)
    curve = est.loss_curve_
    assert len(curve) == est.n_iter_ > 1
    assert curve[-1] <= curve[0]
    # L-BFGS-B's line search only accepts points that decrease the objective.
    assert np.all(np.diff(curve) <= 1e-12)
    assert_allclose(curve[-1], est.loss_, rtol=1e-12)

    pattern = re.compile(r"Iteration (\d+), loss = ([-+0-9.eE]+)")
    printed = pattern.findall(capsys.readouterr().out)
    assert [int(n) for n, _ in printed] == list(range(1, est.n_iter_ + 1))
    assert_allclose([float(value) for _, value in printed], curve, atol=1e-8)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("first_solver", ["lbfgs", "adam"])
def test_lbfgs_warm_start_extends_the_loss_curve(first_solver):
    """Check that a warm-started L-BFGS fit appends to loss_curve_, as sgd does."""
    X, y = _regression()
    est = MLPRegressor(
        hidden_layer_sizes=(6,), solver=first_solver, max_iter=4, random_state=0
    ).fit(X, y)
    before = list(est.loss_curve_)
    est.set_params(solver="lbfgs", warm_start=True, max_iter=3).fit(X, y)
    assert est.loss_curve_[: len(before)] == before
    assert len(est.loss_curve_) == len(before) + est.n_iter_
    assert_allclose(est.loss_curve_[-1], est.loss_, rtol=1e-12)


def test_interrupted_lbfgs_keeps_one_loss_per_iteration(monkeypatch):
    """Check that Ctrl-C during L-BFGS keeps a loss_curve_ of n_iter_ entries."""
    X, y = _regression()
    evaluate = Objective.loss_and_gradients
    calls = []

    def interrupt_on_twentieth_call(self, *args, **kwargs):
        calls.append(None)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(Objective, "loss_and_gradients", interrupt_on_twentieth_call)
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        reg.fit(X, y)
    # 19 evaluations take L-BFGS through at least a few iterations.
    assert reg.n_iter_ >= 3
    assert len(reg.loss_curve_) == reg.n_iter_
    # The weights kept are the best evaluated, no worse than the last iterate.
    assert reg.loss_ <= reg.loss_curve_[-1]


# ------------------------------------------------------------ sklearn parity
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_new_parameters_at_defaults_keep_sklearn_weights(task, solver):
    """Check that the new parameters at their defaults give scikit-learn's weights."""
    if task == "classifier":
        X, y = _classification(3, seed=8)
        ours = MLPClassifier(class_weight=None, scoring=None, dropout=0.0)
        theirs = sk.MLPClassifier()
    else:
        X, y = _regression(seed=8)
        ours = MLPRegressor(huber_delta=1.0, quantile=0.5, scoring=None, dropout=0.0)
        theirs = sk.MLPRegressor()
    params = {
        "hidden_layer_sizes": (6, 4),
        "solver": solver,
        "batch_size": 32,
        "max_iter": 5,
        "random_state": 1,
    }
    ours.set_params(**params).fit(X, y)
    theirs.set_params(**params).fit(X, y)
    for mine, reference in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert_allclose(mine, reference, rtol=1e-9, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_default_scoring_early_stopping_keeps_sklearn_scores(solver):
    """Check that early stopping with scoring=None matches scikit-learn's accuracy."""
    X, y = _classification(3, n_samples=300, seed=9)
    params = {
        "hidden_layer_sizes": (6,),
        "solver": solver,
        "early_stopping": True,
        "max_iter": 15,
        "random_state": 2,
    }
    ours = MLPClassifier(**params).fit(X, y)
    theirs = sk.MLPClassifier(**params).fit(X, y)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-12)
    assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)
    assert ours.n_iter_ == theirs.n_iter_


# ------------------------------------------------------- parameter validation
@pytest.mark.parametrize(
    "estimator_class, name, value",
    [
        (MLPClassifier, "activation", "swish"),
        (MLPRegressor, "activation", "swish"),
        (MLPRegressor, "loss", "foo"),
        (MLPRegressor, "huber_delta", 0),
        (MLPRegressor, "huber_delta", -1.0),
        (MLPRegressor, "quantile", 1.0),
        (MLPRegressor, "quantile", 0.0),
        (MLPClassifier, "dropout", 1.0),
        (MLPRegressor, "dropout", -0.1),
        (MLPClassifier, "class_weight", "foo"),
        (MLPClassifier, "class_weight", [1.0, 2.0]),
        (MLPClassifier, "scoring", 3),
        (MLPRegressor, "scoring", 3),
    ],
)
def test_invalid_new_parameter_raises_naming_it(estimator_class, name, value):
    """Check that an invalid value of a new parameter raises naming the parameter."""
    X, y = _classification(2, n_samples=30)
    est = estimator_class(max_iter=2, **{name: value})
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        est.fit(X, y)
