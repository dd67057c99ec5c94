"""Tests of max_grad_norm: each batch's gradient is clipped to a Euclidean norm."""

import copy

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier, MLPRegressor


def _flat(est):
    return np.concatenate([w.ravel() for w in [*est.coefs_, *est.intercepts_]])


@pytest.mark.parametrize("max_grad_norm", [1e-3, 1e6])
def test_clipped_step_is_the_plain_step_scaled_to_the_norm(max_grad_norm):
    """Check one SGD step: -lr g * min(1, c / ||g||), the L2 term inside g."""
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    params = {"solver": "sgd", "momentum": 0.0, "batch_size": 40, "shuffle": False}
    est = MLPRegressor(hidden_layer_sizes=(4,), alpha=0.5, random_state=0, **params)
    with pytest.warns(ConvergenceWarning):
        est.set_params(max_iter=1).fit(X, y)
    start = _flat(est)
    plain, clipped = copy.deepcopy(est), copy.deepcopy(est)
    plain.partial_fit(X, y)
    clipped.set_params(max_grad_norm=max_grad_norm).partial_fit(X, y)

    step = _flat(plain) - start  # = -lr g
    lr = est.learning_rate_init
    grad_norm = np.linalg.norm(step) / lr
    expected = start + step * min(1.0, max_grad_norm / grad_norm)
    assert_allclose(_flat(clipped), expected, rtol=1e-12, atol=1e-15)
    if max_grad_norm < grad_norm:
        assert_allclose(np.linalg.norm(_flat(clipped) - start), lr * max_grad_norm)


def test_max_grad_norm_with_lbfgs_is_refused():
    """Check that max_grad_norm with solver='lbfgs' raises, naming both."""
    X, y = make_regression(n_samples=20, n_features=3, random_state=0)
    est = MLPRegressor(solver="lbfgs", max_grad_norm=1.0)
    with pytest.raises(ValueError, match=r"max_grad_norm=1\.0.*'lbfgs'"):
        est.fit(X, y)


@pytest.mark.parametrize("value", [0, -1.0, "big"])
def test_max_grad_norm_must_be_positive(value):
    """Check that max_grad_norm is validated like every other parameter."""
    X, y = make_regression(n_samples=20, n_features=3, random_state=0)
    with pytest.raises(ValueError, match="max_grad_norm"):
        MLPClassifier(max_grad_norm=value).fit(X, y > 0)
