"""Bad input: clear errors, and a failed call never changes a fitted model."""

import copy

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from same_state import assert_same_state
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPClassifier, MLPRegressor
from skmlp._optimizers import OPTIMIZERS

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"
ESTIMATORS = [MLPClassifier, MLPRegressor]


def _classification(n_samples=60, n_classes=3):
    return make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        random_state=0,
    )


def _regression(n_samples=60, n_targets=1):
    X, y = make_regression(
        n_samples=n_samples, n_features=4, n_targets=n_targets, random_state=0
    )
    return X, y / y.std()


def _data(mlp_class):
    return _classification() if mlp_class is MLPClassifier else _regression()


def _poisson_target(X):
    return np.random.RandomState(0).poisson(np.exp(0.5 * X[:, 0])).astype(float)


# ------------------------------------------------------- constructor parameters
INVALID_PARAMETERS = [
    ("hidden_layer_sizes", -1),
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", 1.5),
    ("hidden_layer_sizes", "abc"),
    ("activation", "foo"),
    ("solver", "bar"),
    ("alpha", -1.0),
    ("batch_size", 0),
    ("learning_rate", "fast"),
    ("learning_rate_init", 0.0),
    ("power_t", -0.5),
    ("max_iter", 0),
    ("shuffle", "yes"),
    ("tol", -1e-4),
    ("momentum", 2.0),
    ("momentum", -0.1),
    ("nesterovs_momentum", 1.5),
    ("early_stopping", "no"),
    ("validation_fraction", 1.0),
    ("validation_fraction", -0.1),
    ("beta_1", 1.0),
    ("beta_2", -0.5),
    ("epsilon", 0.0),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("random_state", "seed"),
]


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
@pytest.mark.parametrize(("name", "value"), INVALID_PARAMETERS)
def test_invalid_parameter_raises(mlp_class, name, value):
    """Check that an invalid constructor parameter raises, naming the parameter."""
    X, y = _data(mlp_class)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        mlp_class(**{name: value}).fit(X, y)


def test_invalid_loss_raises():
    """Check that an unknown regression loss raises, naming the parameter."""
    X, y = _regression()
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        MLPRegressor(loss="hinge").fit(X, y)


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
@pytest.mark.parametrize("sizes", [[0], (5, 0), (4, -2)])
def test_non_positive_layer_size_raises(mlp_class, sizes):
    """Check that a layer of size <= 0 in a sequence raises, naming the parameter."""
    # A sequence passes the "array-like" constraint; scikit-learn then raises a
    # plain ValueError at fit, as we must too (InvalidParameterError is one).
    X, y = _data(mlp_class)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        mlp_class(hidden_layer_sizes=sizes).fit(X, y)


# ------------------------------------------------------------------ bad data
@pytest.mark.parametrize("mlp_class", ESTIMATORS)
@pytest.mark.parametrize(
    ("bad_value", "message"), [(np.nan, "Input X contains NaN"), (np.inf, "infinity")]
)
def test_non_finite_input_raises(mlp_class, bad_value, message):
    """Check that NaN or inf in X raises a ValueError."""
    X, y = _data(mlp_class)
    X[3, 1] = bad_value
    with pytest.raises(ValueError, match=message):
        mlp_class().fit(X, y)


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_empty_input_raises(mlp_class):
    """Check that X with no samples raises a ValueError."""
    with pytest.raises(ValueError, match="0 sample"):
        mlp_class().fit(np.empty((0, 4)), np.empty(0))


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_inconsistent_lengths_raise(mlp_class):
    """Check that X and y of different lengths raise a ValueError."""
    X, y = _data(mlp_class)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        mlp_class().fit(X, y[:-1])


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_wrong_sample_weight_length_raises(mlp_class):
    """Check that sample_weight of the wrong length raises a ValueError."""
    X, y = _data(mlp_class)
    with pytest.raises(ValueError, match="sample_weight"):
        mlp_class().fit(X, y, sample_weight=np.ones(len(y) - 1))


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_wrong_n_features_at_predict_raises(mlp_class):
    """Check that predicting with another number of features raises."""
    X, y = _data(mlp_class)
    est = mlp_class(hidden_layer_sizes=(3,), max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but .* expecting 4"):
        est.predict(X[:, :3])


@pytest.mark.parametrize("bad_value", [np.nan, np.inf])
def test_non_finite_y_regressor_raises(bad_value):
    """Check that NaN or inf in a regression target raises a ValueError."""
    X, y = _regression()
    y[5] = bad_value
    with pytest.raises(ValueError, match="Input y contains"):
        MLPRegressor().fit(X, y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_poisson_negative_y_raises(method):
    """Check that loss='poisson' with a negative target raises, naming poisson."""
    X, _ = _regression()
    y = _poisson_target(X)
    y[7] = -1.0
    with pytest.raises(ValueError, match="poisson"):
        getattr(MLPRegressor(loss="poisson"), method)(X, y)


def test_partial_fit_unseen_class_raises():
    """Check that partial_fit with a class not in classes raises a ValueError."""
    X, y = _classification()
    clf = MLPClassifier()
    with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
        clf.partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_partial_fit_with_early_stopping_raises(mlp_class):
    """Check that partial_fit refuses early_stopping=True."""
    X, y = _data(mlp_class)
    extra = {"classes": np.unique(y)} if mlp_class is MLPClassifier else {}
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        mlp_class(early_stopping=True).partial_fit(X, y, **extra)


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_partial_fit_not_available_for_lbfgs(mlp_class):
    """Check that an L-BFGS estimator has no partial_fit."""
    est = mlp_class(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        est.partial_fit  # noqa: B018
    for solver in OPTIMIZERS:
        assert hasattr(mlp_class(solver=solver), "partial_fit")


@pytest.mark.parametrize(
    ("mlp_class", "method"),
    [
        (MLPClassifier, "predict"),
        (MLPClassifier, "predict_proba"),
        (MLPClassifier, "predict_log_proba"),
        (MLPClassifier, "score"),
        (MLPRegressor, "predict"),
        (MLPRegressor, "score"),
    ],
)
def test_predict_before_fit_raises(mlp_class, method):
    """Check that using an unfitted estimator raises NotFittedError."""
    X, y = _data(mlp_class)
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(mlp_class(), method)(*args)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_warm_start_with_other_layer_sizes_raises(mlp_class):
    """Check that warm_start with changed hidden_layer_sizes raises a ValueError."""
    X, y = _data(mlp_class)
    est = mlp_class(hidden_layer_sizes=(5,), warm_start=True, max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        est.set_params(hidden_layer_sizes=(6,)).fit(X, y)


@pytest.mark.parametrize("mlp_class", ESTIMATORS)
def test_too_small_validation_set_raises(mlp_class):
    """Check that early stopping with fewer than 2 validation samples raises."""
    # Three classes: scikit-learn only stratifies a binary target, and a
    # stratified split of one sample would fail earlier, in train_test_split.
    X, y = _classification(n_samples=20, n_classes=3)
    if mlp_class is MLPRegressor:
        y = y.astype(float)
    est = mlp_class(early_stopping=True, validation_fraction=0.05)
    with pytest.raises(ValueError, match="validation set is too small"):
        est.fit(X, y)


# ------------------------------------------- a failed call leaves the model as is
def _fitted(mlp_class, **params):
    """Return an estimator fitted on a DataFrame, so feature names are set too."""
    X, y = _data(mlp_class)
    if params.get("loss") == "poisson":
        y = _poisson_target(X)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = mlp_class(hidden_layer_sizes=(5,), max_iter=5, random_state=0, **params)
    return est.fit(frame, y), frame, y


def _with_nan(X):
    X = np.array(X, dtype=float)
    X[0, 0] = np.nan
    return X


# Each case: (estimator class, estimator parameters, the failing call).
FAILED_CALLS = {
    "refit with NaN in X": (
        MLPClassifier,
        {},
        lambda est, X, y: est.fit(_with_nan(X), y),
    ),
    "refit with inf in X, regressor": (
        MLPRegressor,
        {},
        lambda est, X, y: est.fit(np.where(X > 1, np.inf, X), y),
    ),
    "refit with other n_features and NaN": (
        MLPClassifier,
        {},
        lambda est, X, y: est.fit(_with_nan(np.hstack([X, X])), y),
    ),
    "refit with inconsistent lengths": (
        MLPRegressor,
        {},
        lambda est, X, y: est.fit(X, y[:-1]),
    ),
    "refit with empty X": (
        MLPClassifier,
        {},
        lambda est, X, y: est.fit(np.empty((0, 4)), np.empty(0)),
    ),
    "refit with NaN in y": (
        MLPRegressor,
        {},
        lambda est, X, y: est.fit(X, np.where(np.arange(len(y)) == 2, np.nan, y)),
    ),
    "refit with bad sample_weight": (
        MLPClassifier,
        {},
        lambda est, X, y: est.fit(X, y, sample_weight=np.ones(3)),
    ),
    "refit with a zero-sized layer": (
        MLPClassifier,
        {},
        lambda est, X, y: est.set_params(hidden_layer_sizes=[4, 0]).fit(X, y),
    ),
    "refit with a too small validation set": (
        MLPClassifier,
        {},
        lambda est, X, y: est.set_params(
            early_stopping=True, validation_fraction=0.01
        ).fit(X, y),
    ),
    "refit with an invalid parameter": (
        MLPRegressor,
        {},
        lambda est, X, y: est.set_params(alpha=-1.0).fit(X, y),
    ),
    "poisson refit with negative y": (
        MLPRegressor,
        {"loss": "poisson"},
        lambda est, X, y: est.fit(X, -np.abs(y) - 1),
    ),
    "poisson partial_fit with negative y": (
        MLPRegressor,
        {"loss": "poisson"},
        lambda est, X, y: est.partial_fit(X, -np.abs(y) - 1),
    ),
    "partial_fit with an unseen class": (
        MLPClassifier,
        {},
        lambda est, X, y: est.partial_fit(X, np.where(y == 0, 7, y)),
    ),
    "partial_fit with other n_features": (
        MLPClassifier,
        {},
        lambda est, X, y: est.partial_fit(np.hstack([X, X]), y),
    ),
    "partial_fit with other n_outputs": (
        MLPRegressor,
        {},
        lambda est, X, y: est.partial_fit(X, np.column_stack([y, y])),
    ),
    "partial_fit with early_stopping": (
        MLPRegressor,
        {},
        lambda est, X, y: est.set_params(early_stopping=True).partial_fit(X, y),
    ),
    "warm_start with other layer sizes": (
        MLPClassifier,
        {"warm_start": True},
        lambda est, X, y: est.set_params(hidden_layer_sizes=(6,)).fit(X, y),
    ),
    "warm_start with other classes": (
        MLPClassifier,
        {"warm_start": True},
        lambda est, X, y: est.fit(X[y != 2], y[y != 2]),
    ),
    "warm_start with other n_features": (
        MLPRegressor,
        {"warm_start": True},
        lambda est, X, y: est.fit(np.hstack([X, X]), y),
    ),
    "warm_start with other n_outputs": (
        MLPRegressor,
        {"warm_start": True},
        lambda est, X, y: est.fit(X, np.column_stack([y, y])),
    ),
}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("case", FAILED_CALLS)
def test_failed_call_leaves_fitted_model_unchanged(case, solver):
    """Check that a call that raises leaves every attribute of the model as it was."""
    mlp_class, params, failing_call = FAILED_CALLS[case]
    if solver == "lbfgs" and ("partial_fit" in case or "validation" in case):
        pytest.skip("L-BFGS has neither partial_fit nor early stopping")
    est, frame, y = _fitted(mlp_class, solver=solver, **params)
    prediction = est.predict(frame)
    snapshot = copy.deepcopy(vars(est))
    fitted_params = est.get_params()

    with pytest.raises((ValueError, TypeError)):
        failing_call(est, frame, y)

    est.set_params(**fitted_params)
    assert_same_state(snapshot, vars(est))
    assert_array_equal(est.predict(frame), prediction)
    assert_array_equal(est.feature_names_in_, frame.columns)
