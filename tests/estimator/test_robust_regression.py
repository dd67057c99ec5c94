"""Tests of robust and quantile regression: noise quantiles and clean test targets."""

import numpy as np
import pytest
from fit_helpers import CONVERGENCE
from scipy.stats import norm
from sklearn.metrics import mean_squared_error

from skmlp import MLPRegressor


def _heteroscedastic(n_samples, seed):
    """Return X in [0, 1] and y = sin(2 pi x) + (0.2 + 0.8 x) * N(0, 1)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 1, (n_samples, 1))
    y = np.sin(2 * np.pi * X[:, 0]) + (0.2 + 0.8 * X[:, 0]) * rng.normal(size=n_samples)
    return X, y


def _quantile_regressor(quantile, n_hidden, max_iter):
    """Return an L-BFGS tanh network predicting the given quantile."""
    return MLPRegressor(
        loss="quantile",
        quantile=quantile,
        hidden_layer_sizes=(n_hidden,),
        activation="tanh",
        solver="lbfgs",
        max_iter=max_iter,
        random_state=0,
    )


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_quantile_regression_covers_the_requested_fraction(quantile):
    """Check that held-out targets fall below the predicted quantile q of the time."""
    X, y = _heteroscedastic(1000, seed=0)
    X_test, y_test = _heteroscedastic(5000, seed=1)
    predicted = _quantile_regressor(quantile, 16, 300).fit(X, y).predict(X_test)

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
        _quantile_regressor(quantile, 8, 200).fit(X, y).predict(X_test)
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
