"""Small standardised problems and weight comparisons shared by the feature tests."""

import numpy as np
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.preprocessing import StandardScaler

from skmlp import _solvers
from skmlp._optimizers import OPTIMIZERS

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"
#: Every solver, and the stochastic ones, as the registries list them.
SOLVERS = list(_solvers.SOLVERS)
STOCHASTIC = list(OPTIMIZERS)


def classification(n_classes=2, n_samples=200, seed=0, **kwargs):
    """Return standardised X and labels of a make_classification problem."""
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


def regression(n_samples=200, seed=0):
    """Return standardised X and unit-variance y of a make_regression problem."""
    X, y = make_regression(
        n_samples=n_samples, n_features=5, noise=5.0, random_state=seed
    )
    return StandardScaler().fit_transform(X), y / y.std()


def _weights(estimator):
    return estimator.coefs_ + estimator.intercepts_


def assert_same_weights(first, second):
    """Assert that two fitted estimators have bitwise equal weights."""
    for mine, other in zip(_weights(first), _weights(second), strict=True):
        assert_array_equal(mine, other)


def any_weights_differ(first, second):
    """Return whether any weight array of two fitted estimators differs."""
    return any(
        not np.array_equal(mine, other)
        for mine, other in zip(_weights(first), _weights(second), strict=True)
    )
