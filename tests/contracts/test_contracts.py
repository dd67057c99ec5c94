"""The extension contract: a new record in one registry is an option everywhere.

``contract_records`` holds one throwaway record of each kind (activation,
regression loss, optimiser, schedule), written as a contributor would write
it. With nothing else edited, each is accepted by parameter validation, listed
in the docstrings, and trains, continues, saves (pickle, skops) and exports
(ONNX, for the activation). ``test_array_api_dispatch.py`` runs them under
array_api_strict too. docs/contributing.rst counts the files an addition
touches from this suite.
"""

import pickle

import numpy as np
import pytest
from contract_records import PARAMETERS, RECORDS, register_all
from fit_helpers import CONVERGENCE, classification, regression
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from skmlp import MLPClassifier, MLPRegressor
from skmlp._docstrings import fill
from skmlp._solvers import SOLVERS

pytestmark = pytest.mark.filterwarnings(CONVERGENCE)

PARAMETER_OF = {
    "activation": "activation",
    "loss": "loss",
    "optimizer": "solver",
    "schedule": "learning_rate",
}


@pytest.fixture
def registered(monkeypatch):
    register_all(monkeypatch)


def _models():
    classifier = MLPClassifier((5,), max_iter=4, random_state=0, **PARAMETERS)
    regressor = MLPRegressor("log_cosh", (5,), max_iter=4, random_state=0)
    return classifier, regressor.set_params(**PARAMETERS)


def _data(model):
    if isinstance(model, MLPClassifier):
        return classification(n_classes=3, n_samples=80)
    return regression(n_samples=80)


@pytest.mark.parametrize("kind", RECORDS)
def test_a_new_record_is_a_valid_and_documented_option(registered, kind):
    """Check that each new record passes validation and is in the docstring."""
    registry, name, _ = RECORDS[kind]
    estimator = MLPRegressor if kind == "loss" else MLPClassifier
    (constraint,) = estimator._parameter_constraints[PARAMETER_OF[kind]]
    assert constraint.is_satisfied_by(name)
    parameter = PARAMETER_OF[kind]
    source = SOLVERS if kind == "optimizer" else registry
    text = fill(f"<{parameter}_list>", options={parameter: source})
    assert f"- '{name}': " in text


def test_every_record_kind_has_a_throwaway_record():
    """Check that the contract covers the four registries contributors extend."""
    assert set(RECORDS) == set(PARAMETER_OF)


@pytest.mark.parametrize("model", _models(), ids=["classifier", "regressor"])
def test_new_records_train_continue_and_save(registered, model):
    """Check fit, partial_fit, pickle and skops with every new record in use."""
    sio = pytest.importorskip("skops.io")
    X, y = _data(model)
    model = clone(model).fit(X, y)
    assert all(np.isfinite(c).all() for c in model.coefs_)
    assert model._optimizer.learning_rate == pytest.approx(0.01 / 2**4)
    for loaded in (
        pickle.loads(pickle.dumps(model)),
        sio.loads(sio.dumps(model), trusted=[type(model)]),
    ):
        assert_array_equal(loaded.predict(X), model.predict(X))
        loaded.partial_fit(X, y)
        expected = pickle.loads(pickle.dumps(model)).partial_fit(X, y)
        for mine, other in zip(loaded.coefs_, expected.coefs_, strict=True):
            assert_array_equal(mine, other)


def test_the_new_loss_checks_its_targets(registered):
    """Check that a loss record's target check runs in fit, with its message."""
    X, y = regression(n_samples=40)
    with pytest.raises(ValueError, match="magnitude at most 1e6"):
        MLPRegressor("log_cosh", (3,), max_iter=2).fit(X, y * 1e7)


def test_the_new_activation_exports_to_onnx(registered):
    """Check that the activation's ONNX formula gives the network's own outputs."""
    rt = pytest.importorskip("onnxruntime")
    from skmlp.onnx import to_onnx

    X, y = regression(n_samples=60)
    model = MLPRegressor(
        hidden_layer_sizes=(4, 3), activation="softsign", max_iter=5, random_state=0
    )
    model.fit(X, y)
    session = rt.InferenceSession(to_onnx(model, X[:1]).SerializeToString())
    (got,) = session.run(None, {session.get_inputs()[0].name: X})
    assert_allclose(got.ravel(), model.predict(X), rtol=1e-10, atol=1e-12)
