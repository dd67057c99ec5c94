"""Tests of saving a fitted model: pickle, and skops without trusting internals."""

import copy
import pickle

import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification

from skmlp import MLPClassifier, MLPRegressor

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"
CASES = [
    (MLPClassifier, "adam"),
    (MLPClassifier, "sgd"),
    (MLPClassifier, "lbfgs"),
    (MLPRegressor, "adam"),
    (MLPRegressor, "sgd"),
]


def _fitted(mlp_class, solver):
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    y = y if mlp_class is MLPClassifier else y + X[:, 0]
    est = mlp_class(hidden_layer_sizes=(4,), solver=solver, random_state=0)
    return est.set_params(max_iter=3, learning_rate="invscaling").fit(X, y), X, y


def _skops_round_trip(est):
    data = sio.dumps(est)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data)), data


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(("mlp_class", "solver"), CASES)
def test_skops_trusts_only_the_estimator_class(mlp_class, solver):
    """Check that skops lists no skmlp-internal type, only the estimator."""
    est, _, _ = _fitted(mlp_class, solver)
    untrusted = sio.get_untrusted_types(data=sio.dumps(est))
    assert untrusted == [f"{mlp_class.__module__}.{mlp_class.__name__}"]


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(("mlp_class", "solver"), CASES)
@pytest.mark.parametrize("round_trip", ["pickle", "skops"])
def test_round_trip_predicts_and_trains_on_identically(mlp_class, solver, round_trip):
    """Check bit-identical predictions, and that partial_fit goes on as before."""
    est, X, y = _fitted(mlp_class, solver)
    if round_trip == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    else:
        loaded, _ = _skops_round_trip(est)
    assert_array_equal(loaded.predict(X), est.predict(X))
    if solver == "lbfgs":
        return
    reference = copy.deepcopy(est)
    reference.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for mine, expected in zip(loaded.coefs_, reference.coefs_, strict=True):
        assert_array_equal(mine, expected)
    assert np.array_equal(loaded.loss_curve_, reference.loss_curve_)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(
    ("library", "loads"),
    [
        ("sklearn.externals.array_api_compat.numpy", True),  # scikit-learn's wrapper
        ("os", False),
    ],
)
def test_a_saved_library_name_is_loaded_only_if_it_is_an_array_library(library, loads):
    # PyTorch arrays report scikit-learn's vendored wrapper as their library;
    # a model saved from them must load, and a file naming any other module
    # must be refused before that module is imported.
    est, X, _ = _fitted(MLPClassifier, "adam")
    state = {**est.__getstate__(), "_array_location": {"library": library}}
    state["_array_location"]["device"] = "cpu"
    loaded = MLPClassifier.__new__(MLPClassifier)
    if not loads:
        with pytest.raises(ValueError, match="not an array library skmlp loads"):
            loaded.__setstate__(state)
        return
    loaded.__setstate__(state)
    assert_array_equal(loaded.predict(X), est.predict(X))
