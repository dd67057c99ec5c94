"""Tests of skmlp's new parameters: scikit-learn's weights at defaults, validation."""

import pytest
from fit_helpers import CONVERGENCE, SOLVERS, classification, regression
from numpy.testing import assert_allclose
from sklearn import neural_network as sk
from sklearn.utils._param_validation import InvalidParameterError

from skmlp import MLPClassifier, MLPRegressor


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("task", ["classifier", "regressor"])
def test_new_parameters_at_defaults_keep_sklearn_weights(task, solver):
    """Check that the new parameters at their defaults give scikit-learn's weights."""
    if task == "classifier":
        X, y = classification(3, seed=8)
        ours = MLPClassifier(class_weight=None, scoring=None, dropout=0.0)
        theirs = sk.MLPClassifier()
    else:
        X, y = regression(seed=8)
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
    X, y = classification(3, n_samples=300, seed=9)
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
    X, y = classification(2, n_samples=30)
    est = estimator_class(max_iter=2, **{name: value})
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        est.fit(X, y)
