"""Tests of the last hidden layer as a transformer, computed by hand from coefs_."""

import numpy as np
import pandas as pd
import pytest
from fit_helpers import CONVERGENCE, classification, regression
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skmlp import MLPClassifier, MLPRegressor
from skmlp._activations import HIDDEN_ACTIVATIONS

# Each activation written independently of skmlp, with numpy and scipy. The
# tests run over the registry, so an activation added there without a formula
# here fails.
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
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_transform_is_the_last_hidden_layer(
    estimator_class, activation, hidden_layer_sizes
):
    """Check that transform is the last hidden layer computed by hand from coefs_."""
    if activation not in HIDDEN_FORMULAS:
        pytest.fail(f"no formula for the registered activation {activation!r}")
    X, y = classification(3) if estimator_class is MLPClassifier else regression()
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
    X, y = classification(3, seed=7)
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
    X, y = classification(2) if estimator_class is MLPClassifier else regression()
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
    X, y = classification(2) if estimator_class is MLPClassifier else regression()
    est = estimator_class(hidden_layer_sizes=(), max_iter=5, random_state=0)
    est.fit(X, y)
    with pytest.raises(ValueError, match="hidden"):
        est.transform(X)
