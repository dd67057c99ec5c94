"""Tests of label_smoothing (MLPClassifier) and weight_decay (both estimators)."""

import pickle
import warnings

import numpy as np
import pytest
from gradient_check import central_difference
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPClassifier, MLPRegressor
from skmlp._losses import LOSSES, with_label_smoothing

EPS = 0.2


def _iris():
    X, y = load_iris(return_X_y=True)
    return X / X.max(axis=0), y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _softmax_rows(Z):
    return softmax(Z, axis=1)


@pytest.mark.parametrize(
    ("name", "activation", "n_columns"),
    [("log_loss", _softmax_rows, 3), ("binary_log_loss", expit, 1)],
)
def test_smoothed_delta_is_the_derivative_of_the_smoothed_loss(
    name, activation, n_columns
):
    """Check a_L - y' against central differences of the smoothed loss in z_L."""
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(5, n_columns))
    labels = rng.randint(max(n_columns, 2), size=5)
    Y = np.eye(max(n_columns, 2))[labels][:, -n_columns:]
    loss = with_label_smoothing(LOSSES[name], EPS)

    def value(z):
        return loss.value(Y, activation(z.reshape(Z.shape)))

    A = activation(Z)
    delta = loss.output_delta(A, Y, out=np.empty_like(A))
    numeric = central_difference(value, Z.ravel()).reshape(Z.shape)
    # value is a mean over the 5 rows, so its derivative is delta / 5.
    assert_allclose(numeric, delta / 5, rtol=1e-6, atol=1e-9)


def test_loss_is_the_cross_entropy_against_smoothed_targets():
    """Check loss_ against -mean sum y' log p + alpha ||W||^2 / 2n from the model."""
    X, y = _iris()
    alpha = 1e-3
    model = MLPClassifier(
        (5,), solver="lbfgs", alpha=alpha, label_smoothing=EPS, random_state=0
    )
    _fit(model, X, y)

    target = (1 - EPS) * np.eye(3)[y] + EPS / 3
    cross_entropy = -np.mean(np.sum(target * np.log(model.predict_proba(X)), axis=1))
    penalty = alpha * sum(np.sum(W**2) for W in model.coefs_) / (2 * len(y))
    assert_allclose(model.loss_, cross_entropy + penalty, rtol=1e-6)


def test_binary_targets_are_smoothed_toward_one_half():
    """Check that a binary model's loss_ uses y' = (1 - eps) y + eps / 2."""
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    model = MLPClassifier((4,), solver="lbfgs", alpha=0.0, label_smoothing=EPS)
    _fit(model.set_params(random_state=0), X, y)

    p = model.predict_proba(X)[:, 1]
    target = (1 - EPS) * y + EPS / 2
    expected = -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))
    assert_allclose(model.loss_, expected, rtol=1e-6)


def test_smoothing_keeps_probabilities_away_from_one():
    """Check that long training stays near 1 - eps + eps / K on average, not at 1."""
    X, y = _iris()
    settings = {"hidden_layer_sizes": (20,), "solver": "lbfgs", "alpha": 0.0}
    sharp = _fit(MLPClassifier(**settings, max_iter=2000, random_state=0), X, y)
    soft = _fit(
        MLPClassifier(**settings, max_iter=2000, label_smoothing=EPS, random_state=0),
        X,
        y,
    )

    # On average over the rows, the probability of the predicted class sits
    # near the smoothed target 1 - eps + eps / 3 (0.87), far below 1.
    assert sharp.predict_proba(X).max(axis=1).mean() > 0.97
    assert soft.predict_proba(X).max(axis=1).mean() < 1 - EPS + EPS / 3 + 0.02
    assert soft.score(X, y) > 0.9


def test_zero_smoothing_and_zero_decay_change_nothing():
    """Check that the off values train exactly the default model."""
    X, y = _iris()
    default = _fit(MLPClassifier((8,), max_iter=20, random_state=0), X, y)
    off = MLPClassifier(
        (8,), max_iter=20, random_state=0, label_smoothing=0.0, weight_decay=0.0
    )
    _fit(off, X, y)

    for ours, reference in zip(off.coefs_, default.coefs_, strict=True):
        assert_array_equal(ours, reference)
    assert off.loss_curve_ == default.loss_curve_


def _one_step(estimator, X, y, **params):
    """Return the estimator after one full-batch, unshuffled step."""
    estimator = estimator.set_params(
        max_iter=1, batch_size=len(y), shuffle=False, random_state=0, **params
    )
    return _fit(estimator, X, y)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_one_step_shrinks_the_weights_by_lr_times_decay(estimator, solver):
    """Check W1(decay) = W1(no decay) - lr * decay * W0, intercepts untouched."""
    if estimator is MLPClassifier:
        X, y = _iris()
    else:
        X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    lr, decay = 0.05, 0.3
    settings = {"hidden_layer_sizes": (6,), "solver": solver, "momentum": 0.0}
    # A step of 1e-300 rounds away: the fit returns the initial weights W0.
    start = _one_step(estimator(**settings), X, y, learning_rate_init=1e-300)
    plain = _one_step(estimator(**settings), X, y, learning_rate_init=lr)
    decayed = _one_step(
        estimator(**settings), X, y, learning_rate_init=lr, weight_decay=decay
    )

    for W0, W1, W1_decayed in zip(
        start.coefs_, plain.coefs_, decayed.coefs_, strict=True
    ):
        assert_allclose(W1_decayed, W1 - lr * decay * W0, rtol=1e-10, atol=1e-14)
    for b1, b1_decayed in zip(plain.intercepts_, decayed.intercepts_, strict=True):
        assert_array_equal(b1_decayed, b1)


def test_decay_shrinks_the_trained_weights():
    """Check that a strong decay gives a smaller weight norm than none."""
    X, y = _iris()
    norms = []
    for decay in (0.0, 1.0):
        model = MLPClassifier((20,), max_iter=300, weight_decay=decay, random_state=0)
        _fit(model.set_params(learning_rate_init=0.01), X, y)
        norms.append(sum(np.sum(W**2) for W in model.coefs_))
    assert norms[1] < 0.5 * norms[0]


def test_decay_goes_on_after_pickling():
    """Check that a pickled model with weight decay continues training alike."""
    X, y = _iris()
    model = MLPClassifier((6,), max_iter=5, weight_decay=0.5, random_state=0)
    _fit(model, X, y)
    copy = pickle.loads(pickle.dumps(model))

    for estimator in (model, copy):
        estimator.partial_fit(X, y)
    for ours, theirs in zip(copy.coefs_, model.coefs_, strict=True):
        assert_array_equal(ours, theirs)
    no_decay = pickle.loads(pickle.dumps(model)).set_params(weight_decay=0.0)
    no_decay.partial_fit(X, y)
    assert not np.array_equal(no_decay.coefs_[0], model.coefs_[0])


@pytest.mark.parametrize(
    ("estimator", "params", "name"),
    [
        (MLPClassifier, {"label_smoothing": 1.0}, "label_smoothing"),
        (MLPClassifier, {"label_smoothing": -0.1}, "label_smoothing"),
        (MLPClassifier, {"weight_decay": -1.0}, "weight_decay"),
        (MLPRegressor, {"weight_decay": -1.0}, "weight_decay"),
    ],
)
def test_out_of_range_values_are_refused_by_name(estimator, params, name):
    """Check that invalid values raise an error naming the parameter."""
    X, y = _iris()
    with pytest.raises(InvalidParameterError, match=name):
        estimator(**params).fit(X, y)
