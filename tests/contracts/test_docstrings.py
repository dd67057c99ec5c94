"""Numpydoc validation of the public API, and parameter parity with scikit-learn.

In the spirit of imbalanced-learn's ``tests/test_docstring_parameters.py`` and
scikit-learn's ``sklearn/tests/test_docstrings.py``.
"""

import ast
import inspect

import numpy as np
import pandas as pd
import pytest
from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate
from sklearn import neural_network
from sklearn.base import clone

from skmlp import MLPClassifier, MLPRegressor
from skmlp._activations import HIDDEN_ACTIVATIONS, Activation
from skmlp._base import SOLVERS, BaseMLP
from skmlp._docstrings import fill
from skmlp._losses import LOSSES, REGRESSION_LOSSES, RegressionLoss
from skmlp._optimizers import OPTIMIZERS
from skmlp._schedules import SCHEDULES

ESTIMATORS = [MLPClassifier, MLPRegressor]

# numpydoc checks that are not errors here, as in scikit-learn's own docstring
# test: RT02 because a Returns entry names what it returns (``self : object``).
IGNORED_CODES = {"RT02"}
# An extended summary, See Also and Examples are required of the class
# docstrings only; the class's Examples show its methods in use.
IGNORED_CODES_FOR_METHODS = {"ES01", "SA01", "EX01"}

# Parameters scikit-learn's MLP does not have. They come after all of
# scikit-learn's and are keyword-only, so code written for scikit-learn runs
# unchanged; a new one has to be added here on purpose.
SKMLP_ONLY_PARAMETERS = {
    MLPClassifier: (
        "class_weight",
        "scoring",
        "dropout",
        "max_grad_norm",
        "weight_decay",
        "label_smoothing",
    ),
    MLPRegressor: (
        "huber_delta",
        "quantile",
        "scoring",
        "dropout",
        "max_grad_norm",
        "weight_decay",
    ),
}

ESTIMATOR_METHODS = {"fit", "partial_fit", "predict", "score"}
CLASSIFIER_METHODS = {"predict_proba", "predict_log_proba"}


def _public_methods(cls):
    """Return the names of the public methods of ``cls``, inherited ones too."""
    return sorted(
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member)
    )


def _docstring_cases():
    """Return (class, method name or None for the class docstring) params."""
    return [
        pytest.param(cls, method, id=".".join(filter(None, [cls.__name__, method])))
        for cls in ESTIMATORS
        for method in [None, *_public_methods(cls)]
    ]


def _reported_errors(cls, method):
    """Return the numpydoc errors of the object that are not ignored."""
    name = f"skmlp.{cls.__name__}" + (f".{method}" if method else "")
    ignored = IGNORED_CODES | (IGNORED_CODES_FOR_METHODS if method else set())
    return [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in ignored
    ]


def _documented_parameters(cls):
    return ClassDoc(cls)["Parameters"]


def _init_parameters(cls):
    return list(inspect.signature(cls).parameters.values())


def _sklearn(cls):
    return getattr(neural_network, cls.__name__)


def _documented_default(type_text):
    """Return the value after ``default=`` in a numpydoc type description."""
    _, _, default = type_text.partition("default=")
    return ast.literal_eval(default.strip())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_public_methods_include_the_estimator_api(cls):
    """Check that the methods whose docstrings are validated include the API."""
    expected = set(ESTIMATOR_METHODS)
    if cls is MLPClassifier:
        expected |= CLASSIFIER_METHODS
    assert expected <= set(_public_methods(cls))


@pytest.mark.parametrize(("cls", "method"), _docstring_cases())
def test_docstring_passes_numpydoc_validation(cls, method):
    """Check that a public docstring has no numpydoc error outside the ignore list."""
    errors = _reported_errors(cls, method)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_documented_parameters_are_the_init_parameters(cls):
    """Check that the class documents its __init__ parameters, in their order."""
    documented = [parameter.name for parameter in _documented_parameters(cls)]
    assert documented == [parameter.name for parameter in _init_parameters(cls)]


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_documented_defaults_are_the_init_defaults(cls):
    """Check that every ``default=`` in the docstring is the __init__ default."""
    defaults = {p.name: p.default for p in _init_parameters(cls)}
    for parameter in _documented_parameters(cls):
        documented = _documented_default(parameter.type)
        assert documented == defaults[parameter.name], parameter.name


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_parameters_start_with_scikit_learns(cls):
    """Check that __init__ starts with scikit-learn's parameters, kinds, defaults."""
    ours = [(p.name, p.kind, p.default) for p in _init_parameters(cls)]
    theirs = [(p.name, p.kind, p.default) for p in _init_parameters(_sklearn(cls))]
    assert ours[: len(theirs)] == theirs


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_added_parameters_are_declared_and_keyword_only(cls):
    """Check that parameters beyond scikit-learn's are declared and keyword-only."""
    n_sklearn = len(_init_parameters(_sklearn(cls)))
    added = _init_parameters(cls)[n_sklearn:]
    assert [p.name for p in added] == list(SKMLP_ONLY_PARAMETERS[cls])
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in added)


def _fitted(cls, solver):
    """Return ``cls`` fitted briefly on a small data frame with ``solver``."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(20, 3), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int) if cls is MLPClassifier else X["a"] + X["b"]
    estimator = cls(hidden_layer_sizes=(4,), solver=solver, max_iter=5, random_state=0)
    return estimator.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_documented_attributes_are_the_fitted_attributes(cls):
    """Check that fit sets every documented attribute and documents every one set."""
    estimator = _fitted(cls, solver="adam")
    documented = {attribute.name for attribute in ClassDoc(cls)["Attributes"]}
    fitted = {
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_")
    }
    assert documented == fitted, {
        "documented, not set": documented - fitted,
        "set, not documented": fitted - documented,
    }


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_lbfgs_sets_the_attributes_not_documented_as_stochastic_only(cls):
    """Check that lbfgs sets each attribute not documented as sgd/adam only."""
    estimator = _fitted(cls, solver="lbfgs")
    for attribute in ClassDoc(cls)["Attributes"]:
        if "solver='sgd' or 'adam'" not in " ".join(attribute.desc):
            assert hasattr(estimator, attribute.name), attribute.name


def test_fill_refuses_a_placeholder_it_has_no_text_for():
    """Check that the docstring filler raises on a placeholder left unfilled."""
    with pytest.raises(ValueError, match="<unknown>"):
        fill("Parameters\n    <hidden>\n    <unknown>\n")


# Each registry-backed parameter, the estimators documenting it, and its registry.
REGISTRY_PARAMETERS = [
    pytest.param(cls, parameter, registry, name, id=f"{cls.__name__}-{name}")
    for cls, parameter, registry in [
        (MLPClassifier, "activation", HIDDEN_ACTIVATIONS),
        (MLPRegressor, "activation", HIDDEN_ACTIVATIONS),
        (MLPRegressor, "loss", REGRESSION_LOSSES),
        (MLPClassifier, "solver", SOLVERS),
        (MLPRegressor, "solver", SOLVERS),
        (MLPClassifier, "learning_rate", SCHEDULES),
        (MLPRegressor, "learning_rate", SCHEDULES),
    ]
    for name in registry
]


def _flat(text):
    """Return ``text``, a string or a list of lines, as words joined by one space."""
    return " ".join(" ".join(text).split() if isinstance(text, list) else text.split())


def _documented(cls, parameter):
    """Return the numpydoc entry of ``parameter`` in the docstring of ``cls``."""
    return {entry.name: entry for entry in _documented_parameters(cls)}[parameter]


@pytest.mark.parametrize(("cls", "parameter", "registry", "name"), REGISTRY_PARAMETERS)
def test_docstring_lists_every_registered_option(cls, parameter, registry, name):
    """Check that each registry option is in the parameter's type and bullets."""
    entry = _documented(cls, parameter)
    assert f"'{name}'" in entry.type
    assert f"- '{name}': {_flat(registry[name].description)}" in _flat(entry.desc)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_wrapped_option_lines_never_open_a_nested_list(cls):
    """Check that every option line starting like a bullet is an option's bullet."""
    for parameter in ("activation", "loss", "solver", "learning_rate"):
        if parameter not in {entry.name for entry in _documented_parameters(cls)}:
            continue
        for line in _documented(cls, parameter).desc:
            if line.lstrip()[:2] in {"- ", "+ ", "* "}:
                assert line.lstrip().startswith("- '"), line


def test_constraints_offer_the_registered_options():
    """Check that the option constraints hold exactly the registries' names."""
    (activations,) = BaseMLP._parameter_constraints["activation"]
    (losses,) = MLPRegressor._parameter_constraints["loss"]
    (solvers,) = BaseMLP._parameter_constraints["solver"]
    (schedules,) = BaseMLP._parameter_constraints["learning_rate"]
    assert set(activations.options) == set(HIDDEN_ACTIVATIONS)
    assert set(losses.options) == set(REGRESSION_LOSSES)
    assert set(solvers.options) == set(SOLVERS) == {"lbfgs", *OPTIMIZERS}
    assert set(schedules.options) == set(SCHEDULES)


@pytest.fixture
def dummy_activation(monkeypatch):
    """Register a skmlp-only hidden activation 'dummy' for one test."""
    record = Activation(
        "dummy", lambda z: None, description="42 z - z / t_", skmlp_only=True
    )
    monkeypatch.setitem(HIDDEN_ACTIVATIONS, "dummy", record)
    return record


@pytest.fixture
def dummy_loss(monkeypatch):
    """Register a skmlp-only regression loss 'dummy' that builds the squared error."""
    record = RegressionLoss(
        "dummy",
        lambda: LOSSES["squared_error"],
        "the squared error under another name",
        skmlp_only=True,
    )
    monkeypatch.setitem(REGRESSION_LOSSES, "dummy", record)
    return record


def test_a_registered_activation_enters_the_docstring_and_the_constraint(
    dummy_activation,
):
    """Check that an activation added to the registry is documented and accepted."""
    text = _flat(fill("<hidden>", options={"activation": HIDDEN_ACTIVATIONS}))
    assert "'silu', 'gelu', 'dummy'}, default='relu'" in text
    assert "- 'dummy': 42 z - z / ``t_``" in text
    assert "'gelu' and 'dummy' are skmlp only." in text
    (constraint,) = BaseMLP._parameter_constraints["activation"]
    assert constraint.is_satisfied_by("dummy")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_registered_loss_enters_the_docstring_and_the_constraint(dummy_loss):
    """Check that a loss added to the registry is documented, accepted and built."""
    template = "loss : <loss_options>, default='squared_error'\n<loss_list>"
    text = _flat(fill(template, options={"loss": REGRESSION_LOSSES}))
    assert "'huber', 'quantile', 'dummy'}, default='squared_error'" in text
    assert "- 'dummy': the squared error under another name" in text
    assert "'quantile' and 'dummy' are skmlp only." in text
    (constraint,) = MLPRegressor._parameter_constraints["loss"]
    assert constraint.is_satisfied_by("dummy")
    # The dummy builds the squared error, so both fits must give the same model.
    X, y = np.random.RandomState(0).randn(30, 3), np.arange(30.0)
    dummy = MLPRegressor("dummy", (3,), solver="lbfgs", max_iter=5, random_state=0)
    squared = clone(dummy).set_params(loss="squared_error")
    dummy, squared = dummy.fit(X, y), squared.fit(X, y)
    np.testing.assert_allclose(dummy.predict(X), squared.predict(X))
