"""Property-based fuzzing of fit, partial_fit and predict, with hypothesis.

Random but small problems (1 to 60 samples, 1 to 8 features, constant columns,
duplicate rows, magnitudes from 1e-300 to 1e300, float32 and float64, dense and
sparse input, zero sample weights, every kind of target) meet random parameters
(every solver, activation, loss and learning-rate schedule, early stopping with
scorers of either kind, dropout, max_grad_norm, class weights), and every fit
must either fail with a clear ``ValueError`` or ``TypeError`` or give a finite
model with finite predictions on every row it was given, ``X_val`` included;
a fit that keeps its starting weights although its gradients could move them
must say why with a ``ConvergenceWarning``. One property test draws skmlp's own
options (its activations, the robust losses, the cosine schedule, dropout,
max_grad_norm, class weights, scoring) far more often than the others. A call
that fails must leave a fitted model exactly as it was, no ``RuntimeWarning``
may escape unless scikit-learn's own MLP gives one on the same problem (never,
with an option only skmlp has), an interrupted fit must leave a usable model,
and threads, long ``partial_fit`` loops and concurrent fits must behave.

Two profiles, chosen by the environment variable ``SKMLP_FUZZ_PROFILE``:

``ci`` (the default)
    450 examples in all, derandomized (the same examples on every run) and
    without hypothesis's example database, so the run is reproducible and
    takes about 20 seconds.

``long``
    Thousands of random examples, for a search of several minutes or more::

        SKMLP_FUZZ_PROFILE=long python -m pytest tests/estimator/test_fuzz.py

    A failure prints the falsifying example and how to reproduce it.

No profile is loaded or registered globally: each test gets its settings from
the ``@settings`` decorator.
"""

import copy
import inspect
import math
import os
import sys
import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from types import BuiltinFunctionType, FunctionType
from typing import NamedTuple
from unittest import mock

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st
from sklearn import neural_network as sk_nn
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Objective

# Hundreds of fits: part of the whole suite, not of the quick inner loop.
pytestmark = pytest.mark.slow

# ------------------------------------------------------------------- profiles
PROFILE = os.environ.get("SKMLP_FUZZ_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    raise ValueError(f"SKMLP_FUZZ_PROFILE must be 'ci' or 'long', got {PROFILE!r}.")

FUZZ = settings(
    derandomize=PROFILE == "ci",
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
LONG_FACTOR = 40


def _examples(n_ci):
    """Return the number of examples of a test: ``n_ci`` in ci, many more in long."""
    return n_ci if PROFILE == "ci" else n_ci * LONG_FACTOR


# ------------------------------------------------------------------ constants
HIDDEN_ACTIVATIONS = [
    "identity",
    "logistic",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "softplus",
    "silu",
]
SKLEARN_ACTIVATIONS = {"identity", "logistic", "tanh", "relu"}
SKMLP_ACTIVATIONS = [a for a in HIDDEN_ACTIVATIONS if a not in SKLEARN_ACTIVATIONS]
SOLVERS = ["lbfgs", "sgd", "adam"]
REGRESSION_LOSSES = ["squared_error", "poisson", "absolute_error", "huber", "quantile"]
SKLEARN_LOSSES = {"squared_error", "poisson"}
ROBUST_LOSSES = ["absolute_error", "huber", "quantile"]
SCHEDULES = ["constant", "invscaling", "adaptive", "cosine"]
SKLEARN_SCHEDULES = {"constant", "invscaling", "adaptive"}
SKMLP_ONLY_PARAMS = {
    "class_weight",
    "scoring",
    "dropout",
    "huber_delta",
    "quantile",
    "max_grad_norm",
}
# Scorers of either kind, so that a regressor meets probability scorers too.
CLASSIFIER_SCORERS = ["accuracy", "neg_log_loss", "roc_auc", "balanced_accuracy"]
REGRESSOR_SCORERS = ["r2", "max_error", "neg_mean_absolute_error"]
DOCUMENTED_ERRORS = (ValueError, TypeError)
CONTAINERS = {
    "dense": np.asarray,
    "csr_matrix": sp.csr_matrix,
    "csc_matrix": sp.csc_matrix,
    "csr_array": sp.csr_array,
    "csc_array": sp.csc_array,
}


class Problem(NamedTuple):
    """One fuzzed training problem: data, fit keyword arguments, parameters."""

    classifier: bool
    X: object
    y: np.ndarray
    sample_weight: np.ndarray | None
    fit_kwargs: dict
    params: dict

    @property
    def estimator_class(self):
        """Return the skmlp estimator class of the problem."""
        return MLPClassifier if self.classifier else MLPRegressor

    def make(self):
        """Return an unfitted skmlp estimator with the problem's parameters."""
        return self.estimator_class(**self.params)


# ------------------------------------------------------------------ strategies
def _exponents(low=-300, high=300):
    """Return a strategy of powers of ten, mostly small, sometimes extreme."""
    extremes = (-300, -200, -100, -38, -20, 20, 38, 100, 200, 300)
    extremes = [e for e in extremes if low <= e <= high]
    return st.one_of(
        st.just(0),
        st.integers(-3, 3),
        st.sampled_from(extremes),
        st.integers(low, high),
    )


def _draw_matrix(draw, rng, n_samples, n_features, dtype):
    """Return a dense (n_samples, n_features) matrix of ``dtype``."""
    kind = draw(st.sampled_from(["normal", "uniform", "integers", "mostly_zero"]))
    shape = (n_samples, n_features)
    if kind == "normal":
        X = rng.standard_normal(shape)
    elif kind == "uniform":
        X = rng.uniform(-1, 1, shape)
    elif kind == "integers":
        X = rng.randint(-3, 4, shape).astype(float)
    else:
        X = rng.standard_normal(shape) * (rng.uniform(size=shape) < 0.2)
    constant_columns = draw(st.sets(st.integers(0, n_features - 1)))
    for column in sorted(constant_columns):
        X[:, column] = draw(st.sampled_from([0.0, 1.0, -2.5, 7.0]))
    for _ in range(draw(st.integers(0, n_samples - 1))):
        X[rng.randint(n_samples)] = X[rng.randint(n_samples)]
    # float32 holds magnitudes of 1e-45 to 3e38: stay around that range.
    low, high = (-300, 300) if dtype == np.float64 else (-40, 36)
    whole = draw(_exponents(low, high))
    exponents = np.full(n_features, whole)
    for column in sorted(draw(st.sets(st.integers(0, n_features - 1)))):
        exponents[column] += draw(_exponents(low, high))
    X *= 10.0 ** np.clip(exponents, low, high)
    with np.errstate(over="ignore", under="ignore"):
        return X.astype(dtype)


def _draw_class_targets(draw, rng, n_samples):
    """Return (y, labels) of a binary, multiclass, multilabel or one-class target."""
    kind = draw(st.sampled_from(["binary", "multiclass", "multilabel", "one_class"]))
    if kind == "multilabel":
        n_labels = draw(st.integers(2, 4))
        Y = (rng.uniform(size=(n_samples, n_labels)) < 0.4).astype(int)
        return Y, None
    n_classes = {"binary": 2, "one_class": 1}.get(kind) or draw(st.integers(3, 6))
    n_classes = min(n_classes, n_samples)
    # Every class appears at least once; with "singletons" all but one only once.
    codes = np.arange(n_classes)
    if draw(st.booleans()):
        rest = np.zeros(n_samples - n_classes, dtype=int)
    else:
        rest = rng.randint(n_classes, size=n_samples - n_classes)
    codes = rng.permutation(np.concatenate([codes, rest]))
    labels_kind = draw(st.sampled_from(["int", "signed", "str", "object"]))
    if labels_kind == "int":
        labels = np.arange(n_classes)
    elif labels_kind == "signed":
        labels = np.array([-1, 1, 7, 11, 40, 1000])[:n_classes]
    elif labels_kind == "str":
        labels = np.array(["cat", "dog", "emu", "fox", "gnu", "hen"])[:n_classes]
    else:
        labels = np.array(["yes", "no", "maybe", "x", "y", "z"], dtype=object)
        labels = labels[:n_classes]
    return labels[codes], labels


def _draw_regression_targets(draw, rng, n_samples, loss):
    """Return a 1-D or 2-D float target, non-negative for the Poisson loss."""
    n_outputs = draw(st.sampled_from([1, 2]))
    kind = draw(st.sampled_from(["normal", "integers", "constant"]))
    shape = (n_samples, n_outputs)
    if kind == "normal":
        y = rng.standard_normal(shape)
    elif kind == "integers":
        y = rng.poisson(2.0, shape).astype(float)
    else:
        y = np.full(shape, draw(st.sampled_from([0.0, 1.0, -3.0])))
    if loss == "poisson":
        y = np.abs(y)
    y *= 10.0 ** draw(_exponents())
    if n_outputs == 1 and draw(st.booleans()):
        y = y.ravel()
    return y


def _draw_weights(draw, rng, n_samples):
    """Return None or non-negative sample weights with zeros, never all zero."""
    kind = draw(st.sampled_from(["none", "random", "zero_block", "alternating"]))
    if kind == "none":
        return None
    weights = rng.choice([0.0, 0.5, 1.0, 2.0, 10.0], size=n_samples)
    if kind == "zero_block":
        weights[: draw(st.integers(0, n_samples - 1))] = 0.0
    elif kind == "alternating":
        weights[::2] = 0.0
    if not weights.any():
        weights[rng.randint(n_samples)] = 1.0
    return weights * 10.0 ** draw(st.integers(-3, 3))


def _draw_params(draw, classifier, n_samples, labels, loss, own_options=False):
    """Return valid estimator parameters for a problem of ``n_samples`` rows.

    With ``own_options``, the options scikit-learn's MLP does not have are
    drawn far more often: its activations, the cosine schedule, a stochastic
    solver (which dropout and max_grad_norm need) and early stopping.
    """
    solvers = ["sgd", "adam", "sgd", "adam", "lbfgs"] if own_options else SOLVERS
    solver = draw(st.sampled_from(solvers))
    # Activations and dropout act on hidden layers: own options want at least one.
    min_layers = 1 if own_options else 0
    hidden = tuple(draw(st.lists(st.integers(1, 8), min_size=min_layers, max_size=2)))
    activations = SKMLP_ACTIVATIONS if own_options else HIDDEN_ACTIVATIONS
    schedules = ["cosine", *SCHEDULES] if own_options else SCHEDULES
    params = {
        "hidden_layer_sizes": hidden,
        "activation": draw(st.sampled_from(activations)),
        "solver": solver,
        "alpha": draw(st.one_of(st.just(0.0), st.just(1e-4), st.floats(0, 10))),
        "batch_size": draw(st.one_of(st.just("auto"), st.integers(1, n_samples))),
        "learning_rate": draw(st.sampled_from(schedules)),
        "learning_rate_init": 10.0 ** draw(st.floats(-6, 3)),
        "max_iter": draw(st.integers(1, 15)),
        "shuffle": draw(st.booleans()),
        "random_state": draw(st.integers(0, 2**32 - 1)),
        "tol": draw(st.sampled_from([0.0, 1e-4, 1e-2])),
        "momentum": draw(st.sampled_from([0.0, 0.5, 0.9, 1.0])),
        "nesterovs_momentum": draw(st.booleans()),
        "n_iter_no_change": draw(st.integers(1, 10)),
        "max_fun": draw(st.sampled_from([15000, 1, 5, 30])),
    }
    params.update(_draw_early_stopping(draw, classifier, own_options))
    params.update(_draw_stochastic_options(draw, solver, hidden))
    params.update(_draw_target_options(draw, classifier, labels, loss))
    return params


def _draw_early_stopping(draw, classifier, own_options):
    """Return early stopping's parameters; a scorer may suit the other kind."""
    if not draw(st.booleans() | st.just(own_options)):
        return {"early_stopping": False}
    if classifier:
        scorers = CLASSIFIER_SCORERS if own_options else CLASSIFIER_SCORERS[:2]
    else:
        scorers = [*REGRESSOR_SCORERS, *CLASSIFIER_SCORERS[1:3]]
    return {
        "early_stopping": True,
        "validation_fraction": draw(st.sampled_from([0.1, 0.2, 0.5])),
        "scoring": draw(st.sampled_from([None, "loss", *scorers])),
    }


def _draw_stochastic_options(draw, solver, hidden):
    """Return dropout and max_grad_norm, each drawn half of the time."""
    params = {}
    if solver != "lbfgs" and hidden and draw(st.booleans()):
        params["dropout"] = draw(st.floats(0, 0.9))
    if solver != "lbfgs" and draw(st.booleans()):
        params["max_grad_norm"] = 10.0 ** draw(st.floats(-3, 3))
    return params


def _draw_target_options(draw, classifier, labels, loss):
    """Return class_weight of a classifier, or the loss of a regressor."""
    if not classifier:
        return {
            "loss": loss,
            "huber_delta": 10.0 ** draw(st.floats(-3, 3)),
            "quantile": draw(st.floats(0.01, 0.99)),
        }
    if not draw(st.booleans()):
        return {}
    if labels is None or draw(st.booleans()):
        return {"class_weight": "balanced"}
    weights = st.floats(0.01, 100)
    return {
        "class_weight": {
            label: draw(weights) for label in labels if draw(st.booleans())
        }
    }


@st.composite
def problems(draw, classifier=None, own_options=False):
    """Return a fuzzed Problem of a classifier or regressor (drawn when None).

    ``own_options`` favours the options only skmlp has (see ``_draw_params``)
    and, for a regressor, the robust losses.
    """
    if classifier is None:
        classifier = draw(st.booleans())
    n_samples = draw(st.integers(1, 60))
    n_features = draw(st.integers(1, 8))
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    X = _draw_matrix(draw, rng, n_samples, n_features, dtype)
    if classifier:
        y, labels = _draw_class_targets(draw, rng, n_samples)
        loss = None
    else:
        losses = ROBUST_LOSSES if own_options else REGRESSION_LOSSES
        labels, loss = None, draw(st.sampled_from(losses))
        y = _draw_regression_targets(draw, rng, n_samples, loss)
    sample_weight = _draw_weights(draw, rng, n_samples)
    params = _draw_params(draw, classifier, n_samples, labels, loss, own_options)
    container = CONTAINERS[draw(st.sampled_from(sorted(CONTAINERS)))]
    fit_kwargs = {}
    if params["early_stopping"] and params["solver"] != "lbfgs" and draw(st.booleans()):
        rows = rng.randint(n_samples, size=draw(st.integers(1, 20)))
        fit_kwargs = {"X_val": container(X[rows]), "y_val": y[rows]}
        if sample_weight is not None and draw(st.booleans()):
            weight_val = sample_weight[rows].copy()
            if not weight_val.any():
                weight_val[0] = 1.0
            fit_kwargs["sample_weight_val"] = weight_val
    problem = Problem(classifier, container(X), y, sample_weight, fit_kwargs, params)
    note(f"params={params!r}")
    note(
        f"X: {type(problem.X).__name__} {X.dtype} {X.shape}, "
        f"|X| in [{np.abs(X).min():.3g}, {np.abs(X).max():.3g}]; "
        f"y: {np.asarray(y).dtype} {np.shape(y)}; "
        f"sample_weight={sample_weight!r}; fit_kwargs={sorted(fit_kwargs)}"
    )
    return problem


# -------------------------------------------------------------------- helpers
def _fit(model, problem):
    """Fit ``model`` on the problem's data."""
    return model.fit(problem.X, problem.y, problem.sample_weight, **problem.fit_kwargs)


def _runtime_warnings(caught):
    return [w for w in caught if issubclass(w.category, RuntimeWarning)]


def _describe(caught):
    return [
        f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
    ]


def _predictions(model, X):
    """Return {method name: output} of predict (and predict_proba) on X."""
    outputs = {"predict": model.predict(X)}
    if hasattr(model, "predict_proba"):
        outputs["predict_proba"] = model.predict_proba(X)
    return outputs


def _assert_usable(model, X):
    """Assert that a fitted model has finite weights and finite predictions on X."""
    for name in ("coefs_", "intercepts_"):
        for i, array in enumerate(getattr(model, name)):
            assert np.isfinite(array).all(), f"{name}[{i}] is not finite: {array}"
    outputs = _predictions(model, X)
    if "predict_proba" in outputs:
        proba, labels = outputs["predict_proba"], outputs["predict"]
        assert np.isfinite(proba).all(), f"predict_proba is not finite: {proba}"
        if labels.ndim == 1:  # one output: the probabilities of its classes
            assert np.allclose(proba.sum(axis=1), 1.0), (
                f"predict_proba rows do not sum to 1: {proba.sum(axis=1)}"
            )
            assert np.isin(labels, model.classes_).all(), labels
    else:
        prediction = outputs["predict"]
        assert np.isfinite(prediction).all(), f"predict is not finite: {prediction}"
    return outputs


def _sklearn_twin(problem):
    """Return scikit-learn's MLP with the same parameters, or None if it has none."""
    params = problem.params
    if problem.fit_kwargs or params["activation"] not in SKLEARN_ACTIVATIONS:
        return None
    if params["learning_rate"] not in SKLEARN_SCHEDULES:
        return None
    if any(
        params.get(name) not in (None, 0.0)
        for name in ("class_weight", "scoring", "dropout", "max_grad_norm")
    ):
        return None
    if not problem.classifier and params["loss"] not in SKLEARN_LOSSES:
        return None
    shared = {k: v for k, v in params.items() if k not in SKMLP_ONLY_PARAMS}
    if problem.classifier:
        return sk_nn.MLPClassifier(**shared)
    return sk_nn.MLPRegressor(**shared)


def _sklearn_runtime_warnings(twin, problem):
    """Return the RuntimeWarnings of scikit-learn's fit and predictions."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            twin.fit(problem.X, problem.y, problem.sample_weight)
            _predictions(twin, problem.X)
        except Exception:  # only its warnings matter here
            pass
    return _runtime_warnings(caught)


def _assert_same(expected, actual, path="model"):
    """Assert that ``actual`` is bit for bit the deep copy ``expected``."""
    assert type(actual) is type(expected), f"{path}: {type(expected)} -> {type(actual)}"
    if isinstance(expected, np.ndarray):
        assert expected.dtype == actual.dtype, f"{path}: dtype changed"
        assert expected.shape == actual.shape, f"{path}: shape changed"
        if expected.dtype.hasobject:
            assert np.array_equal(expected, actual), f"{path}: values changed"
        else:
            assert expected.tobytes() == actual.tobytes(), f"{path}: values changed"
    elif isinstance(expected, list | tuple):
        assert len(expected) == len(actual), f"{path}: length changed"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _assert_same(e, a, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert list(expected) == list(actual), f"{path}: keys changed"
        for key in expected:
            _assert_same(expected[key], actual[key], f"{path}[{key!r}]")
    elif isinstance(expected, float | np.floating):
        same = expected == actual or (math.isnan(expected) and math.isnan(actual))
        assert same, f"{path}: {expected!r} -> {actual!r}"
    elif isinstance(expected, np.random.RandomState):
        _assert_same(expected.get_state(), actual.get_state(), path)
    elif isinstance(expected, np.random.Generator):
        _assert_same(expected.bit_generator.state, actual.bit_generator.state, path)
    elif isinstance(expected, int | str | bytes | np.generic | type(None)):
        assert expected == actual, f"{path}: {expected!r} -> {actual!r}"
    elif isinstance(expected, FunctionType | BuiltinFunctionType | type):
        # deepcopy keeps functions and classes: the same object is expected.
        assert expected is actual, f"{path}: {expected!r} -> {actual!r}"
    elif hasattr(expected, "__dict__"):
        _assert_same(vars(expected), vars(actual), f"{path}.__dict__")
    else:
        assert expected == actual, f"{path}: {expected!r} -> {actual!r}"


def _snapshot(model):
    return copy.deepcopy(vars(model))


# ---------------------------------------------------------- fit invariants
class _Recorded(NamedTuple):
    """The starting weights of a fit, and the largest gradient entry it met."""

    start: list
    largest_gradient: list


def _training_recorder():
    """Return (a loss_and_gradients that records what _Recorded holds, the record)."""
    original = Objective.loss_and_gradients
    record = _Recorded([], [0.0])

    def loss_and_gradients(self, params, batch, grads):
        if not record.start:
            record.start.append(np.array(params, copy=True))
        loss = original(self, params, batch, grads)
        if loss is not None:
            with np.errstate(invalid="ignore"):
                largest = np.nan_to_num(np.abs(np.asarray(grads)).max(), nan=np.inf)
            record.largest_gradient[0] = max(record.largest_gradient[0], largest)
        return loss

    return loss_and_gradients, record


def _flat_weights(model):
    arrays = [*model.coefs_, *model.intercepts_]
    return np.concatenate([np.ravel(array) for array in arrays])


def _first_step_shows(params, record):
    """Return whether a step of the largest gradient would change the weights.

    Adam's first step is about ``learning_rate_init`` for any gradient, SGD's
    ``learning_rate_init`` times it; either must exceed a thousandth of the
    weights' scale to show in float32 or float64. L-BFGS warns when it stops.
    """
    if params["solver"] == "lbfgs" or not record.largest_gradient[0] > 0:
        return False
    scale = params["learning_rate_init"]
    if params["solver"] == "sgd":
        scale *= record.largest_gradient[0]
    return scale > 1e-3 * max(1.0, np.abs(record.start[0]).max())


def _assert_moved_or_warned(model, record, caught):
    """Assert that a fit that kept weights it could have moved said why."""
    if not record.start or not np.array_equal(record.start[0], _flat_weights(model)):
        return
    event("kept the starting weights")
    if not _first_step_shows(model.get_params(), record):
        return
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert convergence, (
        "fit kept its starting weights without a ConvergenceWarning, though its "
        f"largest gradient entry was {record.largest_gradient[0]:.3g}"
    )


def _check_fit(problem):
    """Check invariants 1 (outcome of fit) and 3 (RuntimeWarnings) on a problem."""
    model = problem.make()
    outputs = None
    recorder, record = _training_recorder()
    patch = mock.patch.object(Objective, "loss_and_gradients", recorder)
    with warnings.catch_warnings(record=True) as caught, patch:
        warnings.simplefilter("always", RuntimeWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            _fit(model, problem)
        except DOCUMENTED_ERRORS as exc:
            event(f"fit raised {type(exc).__name__}")
            note(f"fit raised {type(exc).__name__}: {exc}")
            assert str(exc).strip(), f"{type(exc).__name__} without a message"
        else:
            outputs = _predictions(model, problem.X)
            if "X_val" in problem.fit_kwargs:
                outputs["X_val"] = _predictions(model, problem.fit_kwargs["X_val"])
    note(f"warnings: {_describe(caught)}")
    runtime = _runtime_warnings(caught)
    if outputs is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _assert_usable(model, problem.X)
            if "X_val" in problem.fit_kwargs:
                _assert_usable(model, problem.fit_kwargs["X_val"])
        _assert_moved_or_warned(model, record, caught)
    event("fitted" if outputs is not None else "not fitted")
    if runtime:
        event("RuntimeWarning")
        twin = _sklearn_twin(problem)
        assert twin is not None, (
            "RuntimeWarning with parameters scikit-learn does not have: "
            f"{_describe(runtime)}"
        )
        sklearn_runtime = _sklearn_runtime_warnings(twin, problem)
        assert sklearn_runtime, (
            "RuntimeWarning that scikit-learn's MLP does not give on the same "
            f"problem: {_describe(runtime)}"
        )


@settings(FUZZ, max_examples=_examples(60))
@given(problem=problems(classifier=True))
def test_classifier_fit_is_finite_or_fails_clearly(problem):
    """Check that MLPClassifier.fit fails clearly or gives a finite model."""
    _check_fit(problem)


@settings(FUZZ, max_examples=_examples(60))
@given(problem=problems(classifier=False))
def test_regressor_fit_is_finite_or_fails_clearly(problem):
    """Check that MLPRegressor.fit fails clearly or gives a finite model."""
    _check_fit(problem)


@settings(FUZZ, max_examples=_examples(250))
@given(problem=problems(own_options=True))
def test_skmlp_own_options_fit_is_finite_or_fails_clearly(problem):
    """Check skmlp's own options on hostile data: finite, failing clearly, or warned."""
    _check_fit(problem)


# ------------------------------------------------- failed calls change nothing
def _raising_scorer(fail_at):
    """Return a scorer that raises a ValueError on its ``fail_at``-th call."""
    calls = [0]

    def scorer(estimator, X, y, sample_weight=None):
        calls[0] += 1
        if calls[0] >= fail_at:
            raise ValueError("scorer failed on purpose")
        return 0.0

    return scorer


def _objective_failing_at(fail_at):
    """Return a loss_and_gradients that raises a ValueError on its k-th call."""
    original = Objective.loss_and_gradients
    calls = [0]

    def loss_and_gradients(self, params, batch, grads):
        calls[0] += 1
        if calls[0] == fail_at:
            raise ValueError("objective failed on purpose")
        return original(self, params, batch, grads)

    return loss_and_gradients


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.array(X)


def _unseen_label(y):
    if y.dtype.kind in "iu":
        return y.max() + 1
    return "never seen"


MUTATIONS = [
    "nan",
    "inf",
    "n_features",
    "unseen_class",
    "y_length",
    "weight_length",
    "negative_weight",
    "empty",
    "invalid_param",
    "dropout_lbfgs",
    "X_val_misuse",
    "X_val_n_features",
    "raising_scorer",
    "failing_objective",
    "poisson_negative",
    "string_regression_target",
    "class_weight_multilabel",
    "balanced_partial_fit",
    "early_stopping_partial_fit",
    "hidden_mismatch",
    "fuzzed",
]


def _failing_call(draw, model, problem, rng):
    """Prepare a call on a fitted model that should fail; return (method, args).

    Parameter changes happen here, before the caller's snapshot.
    """
    X, y, weight = _dense(problem.X), np.asarray(problem.y), problem.sample_weight
    n_samples, n_features = X.shape
    mutation = draw(st.sampled_from(MUTATIONS))
    note(f"mutation={mutation}")
    kwargs = {}
    methods = ["fit", "partial_fit"] if hasattr(model, "partial_fit") else ["fit"]
    method = draw(st.sampled_from(methods))
    model.set_params(warm_start=draw(st.booleans()))
    if mutation in ("nan", "inf"):
        X = X.astype(float)
        X[rng.randint(n_samples), rng.randint(n_features)] = (
            np.nan if mutation == "nan" else np.inf
        )
    elif mutation == "n_features":
        X = np.hstack([X, X[:, :1]])
        model.set_params(warm_start=True)
    elif mutation == "unseen_class":
        if y.ndim == 1 and problem.classifier:
            y = y.copy().astype(object)
            y[rng.randint(n_samples)] = _unseen_label(np.asarray(problem.y))
            model.set_params(warm_start=True)
        else:
            y = y[:-1]
    elif mutation == "y_length":
        y = np.concatenate([y, y[:1]])
    elif mutation == "weight_length":
        weight = np.ones(n_samples + 1)
    elif mutation == "negative_weight":
        weight = np.ones(n_samples)
        weight[rng.randint(n_samples)] = -1.0
    elif mutation == "empty":
        X, y, weight = X[:0], y[:0], None
    elif mutation == "invalid_param":
        name, value = draw(
            st.sampled_from(
                [
                    ("alpha", -1.0),
                    ("learning_rate_init", 0.0),
                    ("max_iter", 0),
                    ("hidden_layer_sizes", (0,)),
                    ("activation", "swish"),
                    ("batch_size", 0),
                    ("dropout", 1.0),
                    ("momentum", 2.0),
                    ("validation_fraction", 1.0),
                ]
            )
        )
        model.set_params(**{name: value})
    elif mutation == "dropout_lbfgs":
        model.set_params(solver="lbfgs", dropout=0.5)
        method = "fit"
    elif mutation == "X_val_misuse":
        kwargs = draw(
            st.sampled_from([{"X_val": X}, {"y_val": y}, {"X_val": X, "y_val": y}])
        )
        if "y_val" in kwargs and "X_val" in kwargs:
            model.set_params(early_stopping=False)
        method = "fit"
    elif mutation == "X_val_n_features":
        model.set_params(
            early_stopping=True, solver=draw(st.sampled_from(["sgd", "adam"]))
        )
        kwargs = {"X_val": np.hstack([X, X[:, :1]]), "y_val": y}
        method = "fit"
    elif mutation == "raising_scorer":
        model.set_params(
            early_stopping=True,
            solver=draw(st.sampled_from(["sgd", "adam"])),
            scoring=_raising_scorer(draw(st.integers(1, 3))),
        )
        kwargs = {"X_val": X, "y_val": y}
        method = "fit"
    elif mutation == "poisson_negative":
        if problem.classifier:
            y = y[:-1]
        else:
            model.set_params(loss="poisson")
            y = -np.abs(y.astype(float)) - 1.0
    elif mutation == "string_regression_target":
        y = np.array(["a"] * n_samples) if not problem.classifier else y[:-1]
    elif mutation == "class_weight_multilabel":
        if problem.classifier:
            model.set_params(class_weight="balanced")
            y = (rng.uniform(size=(n_samples, 3)) < 0.5).astype(int)
        else:
            y = y[:-1]
    elif mutation == "balanced_partial_fit":
        if problem.classifier and y.ndim == 1 and method == "partial_fit":
            model.set_params(class_weight="balanced")
        else:
            y = y[:-1]
    elif mutation == "early_stopping_partial_fit":
        if method == "partial_fit":
            model.set_params(early_stopping=True)
        else:
            y = y[:-1]
    elif mutation == "hidden_mismatch":
        sizes = tuple(s + 1 for s in problem.params["hidden_layer_sizes"]) or (2,)
        model.set_params(hidden_layer_sizes=sizes, warm_start=True)
    elif mutation == "fuzzed":
        other = draw(problems(classifier=problem.classifier))
        X, y, weight = other.X, other.y, other.sample_weight
        if method == "fit":
            kwargs = other.fit_kwargs
    args = (X, y, weight)
    return method, args, kwargs, mutation


@settings(FUZZ, max_examples=_examples(50))
@given(problem=problems(), data=st.data())
def test_failed_call_leaves_fitted_model_unchanged(problem, data):
    """Check that a failing fit or partial_fit leaves a fitted model unchanged."""
    model = problem.make()
    before = _snapshot(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _fit(model, problem)
        except DOCUMENTED_ERRORS:
            _assert_same(before, vars(model))
            assume(False)
    rng = np.random.RandomState(data.draw(st.integers(0, 2**32 - 1)))
    method, args, kwargs, mutation = _failing_call(data.draw, model, problem, rng)
    fail_at = data.draw(st.integers(1, 6))
    before = _snapshot(model)
    patch = mock.patch.object(
        Objective,
        "loss_and_gradients",
        _objective_failing_at(fail_at if mutation == "failing_objective" else 0),
    )
    with warnings.catch_warnings(), patch:
        warnings.simplefilter("ignore")
        try:
            getattr(model, method)(*args, **kwargs)
        except Exception as exc:  # any failure must restore the model
            note(f"{method} raised {type(exc).__name__}: {exc}")
            error = exc
        else:
            error = None
    event(f"{mutation}: {'raised' if error is not None else 'did not raise'}")
    if error is not None:
        _assert_same(before, vars(model))
        assert isinstance(error, DOCUMENTED_ERRORS) and str(error).strip(), (
            f"{method} raised an undocumented {type(error).__name__}: {error}"
        )


# ------------------------------------------------------------ KeyboardInterrupt
def _counting_run(model, method, args, kwargs):
    """Fit a copy of ``model``; return (error, objective calls, calls at 1st epoch).

    ``error`` is the documented error the uninterrupted call raised, or None.
    The calls at the first finished epoch are None when no epoch finished; for
    L-BFGS an epoch is an iteration, seen through scipy's callback.
    """
    model = copy.deepcopy(model)
    original_objective = Objective.loss_and_gradients
    original_minimize = scipy.optimize.minimize
    calls, first_epoch = [0], [None]

    def counting(self, params, batch, grads):
        calls[0] += 1
        return original_objective(self, params, batch, grads)

    def minimize(*m_args, callback=None, **m_kwargs):
        def first_epoch_seen():
            if first_epoch[0] is None:
                first_epoch[0] = calls[0]

        # scipy passes an OptimizeResult to a callback of this parameter name.
        if "intermediate_result" in inspect.signature(callback).parameters:

            def watching(intermediate_result):
                first_epoch_seen()
                return callback(intermediate_result=intermediate_result)

        else:

            def watching(xk):
                first_epoch_seen()
                return callback(xk)

        return original_minimize(*m_args, callback=watching, **m_kwargs)

    with (
        warnings.catch_warnings(),
        mock.patch.object(Objective, "loss_and_gradients", counting),
        mock.patch.object(scipy.optimize, "minimize", minimize),
    ):
        warnings.simplefilter("ignore")
        try:
            getattr(model, method)(*args, **kwargs)
        except DOCUMENTED_ERRORS as exc:
            return exc, calls[0], first_epoch[0]
    if model.solver != "lbfgs" and model.n_iter_ >= 1:
        n_train = args[1].shape[0]
        batch_size = model.batch_size
        batch_size = min(200, n_train) if batch_size == "auto" else batch_size
        first_epoch[0] = math.ceil(n_train / min(batch_size, n_train))
    return None, calls[0], first_epoch[0]


@settings(FUZZ, max_examples=_examples(30))
@given(data=st.data())
def test_keyboard_interrupt_leaves_usable_model(data):
    """Check that an interrupted fit gives a usable model or changes nothing."""
    classifier = data.draw(st.booleans())
    rng = np.random.RandomState(data.draw(st.integers(0, 2**32 - 1)))
    n_samples = data.draw(st.integers(2, 40))
    X = rng.standard_normal((n_samples, 3))
    y = (X[:, 0] > 0).astype(int) if classifier else X @ [1.0, -2.0, 0.5]
    if classifier:
        y[:2] = [0, 1]
    params = {
        "hidden_layer_sizes": tuple(data.draw(st.lists(st.integers(1, 6), max_size=2))),
        "activation": data.draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
        "solver": data.draw(st.sampled_from(["lbfgs", "sgd", "adam"])),
        "batch_size": data.draw(st.one_of(st.just("auto"), st.integers(1, n_samples))),
        "learning_rate_init": 10.0 ** data.draw(st.floats(-4, 1)),
        "max_iter": data.draw(st.integers(1, 10)),
        "random_state": data.draw(st.integers(0, 1000)),
    }
    model = (MLPClassifier if classifier else MLPRegressor)(**params)
    modes = ["fresh fit", "refit"]
    if params["solver"] != "lbfgs":
        modes += ["first partial_fit", "early stopping"]
    mode = data.draw(st.sampled_from(modes))
    note(f"params={params!r}, mode={mode}")
    method, kwargs = "fit", {}
    if mode == "refit":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model.fit(X[::-1], y[::-1])
            except DOCUMENTED_ERRORS:
                assume(False)  # diverged: no fitted model to refit
    elif mode == "first partial_fit":
        method = "partial_fit"
        kwargs = {"classes": np.unique(y)} if classifier else {}
    elif mode == "early stopping":
        model.set_params(early_stopping=True, n_iter_no_change=2)
        kwargs = {"X_val": X[::2], "y_val": y[::2]}
    args = (X, y)
    error, n_calls, first_epoch = _counting_run(model, method, args, kwargs)
    note(f"uninterrupted call raised {error!r}")
    interrupt_at = data.draw(st.integers(1, max(1, n_calls)))
    note(f"objective calls={n_calls}, first epoch after={first_epoch}")
    note(f"interrupt at call {interrupt_at}")

    original = Objective.loss_and_gradients
    calls = [0]

    def interrupting(self, params, batch, grads):
        calls[0] += 1
        if calls[0] == interrupt_at:
            raise KeyboardInterrupt
        return original(self, params, batch, grads)

    before = _snapshot(model)
    with (
        warnings.catch_warnings(),
        mock.patch.object(Objective, "loss_and_gradients", interrupting),
    ):
        warnings.simplefilter("ignore")
        try:
            getattr(model, method)(*args, **kwargs)
        except KeyboardInterrupt:
            interrupted = True
        except DOCUMENTED_ERRORS:
            # Only when the call fails without an interrupt, too.
            assert error is not None, "the interrupted call raised an error"
            _assert_same(before, vars(model))
            return
        else:
            interrupted = False
    event(f"{mode}: {'re-raised' if interrupted else 'returned'}")
    if interrupted:
        epoch_done = first_epoch is not None and interrupt_at > first_epoch
        assert not epoch_done, (
            "KeyboardInterrupt re-raised although an epoch had finished"
        )
        _assert_same(before, vars(model))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _assert_usable(model, X)
        assert len(model.loss_curve_) == model.n_iter_, (
            f"len(loss_curve_)={len(model.loss_curve_)} != n_iter_={model.n_iter_}"
        )


# ---------------------------------------------------------------- threads
def _prediction_inputs(n_features):
    rng = np.random.RandomState(1)
    inputs = []
    for i in range(32):
        X = rng.standard_normal((1 + 7 * i % 50, n_features))
        kind = i % 4
        if kind == 1:
            X = X.astype(np.float32)
        elif kind == 2:
            X = sp.csr_matrix(X * (rng.uniform(size=X.shape) < 0.3))
        elif kind == 3:
            X = X.tolist()
        inputs.append(X)
    return inputs


def _fitted_models():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((80, 5))
    y_class = np.array(["a", "b", "c"])[(X[:, 0] > 0) * 1 + (X[:, 1] > 0.5)]
    y_reg = np.column_stack([X @ rng.standard_normal(5), np.sin(X[:, 0])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = MLPClassifier(
            (8, 4), activation="gelu", max_iter=30, random_state=0
        ).fit(X, y_class)
        regressor = MLPRegressor(
            hidden_layer_sizes=(6,), activation="tanh", max_iter=30, random_state=0
        ).fit(X, y_reg)
    return classifier, regressor


def test_concurrent_predictions_equal_serial_ones():
    """Check that 8 threads predicting on one model get the serial results."""
    for model in _fitted_models():
        inputs = _prediction_inputs(model.n_features_in_)
        methods = (
            ["predict", "predict_proba"]
            if hasattr(model, "predict_proba")
            else ["predict"]
        )
        serial = [[getattr(model, m)(X) for m in methods] for X in inputs]
        barrier = threading.Barrier(8)

        def predict_all(seed, model=model, inputs=inputs, methods=methods, b=barrier):
            order = np.random.RandomState(seed).permutation(len(inputs))
            b.wait()
            results = {}
            for _ in range(3):
                for i in order:
                    results[i] = [getattr(model, m)(inputs[i]) for m in methods]
            return results

        with ThreadPoolExecutor(max_workers=8) as pool:
            all_results = list(pool.map(predict_all, range(8)))
        for results in all_results:
            for i, outputs in results.items():
                for method, got, expected in zip(
                    methods, outputs, serial[i], strict=True
                ):
                    assert got.dtype == expected.dtype, (method, i)
                    assert np.array_equal(got, expected), (method, i)


def _blas_limits():
    return sorted(
        (info["filepath"], info["user_api"], info["num_threads"])
        for info in threadpool_info()
    )


def _fit_pairs():
    """Return pairs of (unfitted model, X, y) to train at the same time."""
    rng = np.random.RandomState(3)
    X = rng.standard_normal((120, 6))
    y_class = (X[:, 0] + X[:, 1] > 0).astype(int)
    y_reg = X @ rng.standard_normal(6)
    adam = (MLPClassifier((16,), max_iter=15, random_state=1), X, y_class)
    sgd = (
        MLPRegressor(
            hidden_layer_sizes=(12, 6), solver="sgd", max_iter=15, random_state=2
        ),
        X[:90],
        y_reg[:90],
    )
    lbfgs = (
        MLPRegressor(
            hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20, random_state=4
        ),
        X[30:],
        y_reg[30:],
    )
    return [(adam, sgd), (sgd, lbfgs), (lbfgs, adam)]


def test_concurrent_fits_equal_serial_fits_and_keep_blas_limits():
    """Check that two fits in two threads equal serial fits and keep BLAS limits."""
    switch_interval = sys.getswitchinterval()
    # warnings.catch_warnings is not thread safe: enter it once, out here.
    # More than one BLAS thread, so that a fit has thread limits to set and
    # restore; a tiny switch interval makes the threads interleave finely.
    with warnings.catch_warnings(), threadpool_limits(limits=2, user_api="blas"):
        warnings.simplefilter("ignore")
        before = _blas_limits()
        serial = [
            [copy.deepcopy(model).fit(X, y).coefs_ for model, X, y in pair]
            for pair in _fit_pairs()
        ]
        sys.setswitchinterval(1e-6)
        try:
            for round_ in range(30):
                pair_index = round_ % len(serial)
                pair = _fit_pairs()[pair_index]
                barrier = threading.Barrier(len(pair))

                def fit(model_X_y, barrier=barrier):
                    model, X, y = model_X_y
                    barrier.wait()
                    return model.fit(X, y).coefs_

                with ThreadPoolExecutor(max_workers=len(pair)) as pool:
                    concurrent = list(pool.map(fit, pair))
                for expected, got in zip(serial[pair_index], concurrent, strict=True):
                    for e, g in zip(expected, got, strict=True):
                        assert np.array_equal(e, g), f"round {round_}: weights differ"
                assert _blas_limits() == before, f"round {round_}: BLAS limits changed"
        finally:
            sys.setswitchinterval(switch_interval)


# ----------------------------------------------------------------- memory
def test_partial_fit_memory_stays_flat():
    """Check that a partial_fit call does not need more memory as calls add up."""
    rng = np.random.RandomState(0)
    blocks = []
    for _ in range(16):
        X = rng.standard_normal((5, 4))
        blocks.append((X, X @ [1.0, -1.0, 0.5, 2.0]))
    model = MLPRegressor(
        hidden_layer_sizes=(3,), solver="sgd", learning_rate_init=1e-3, random_state=0
    )
    measured_at = {range(96, 101): "early", range(4996, 5001): "late"}
    peaks = {"early": [], "late": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for call in range(1, 5001):
            X, y = blocks[call % len(blocks)]
            stage = next((s for r, s in measured_at.items() if call in r), None)
            if stage is None:
                model.partial_fit(X, y)
                continue
            tracemalloc.start()
            try:
                model.partial_fit(X, y)
                peaks[stage].append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    assert len(model.loss_curve_) == 5000
    # The smallest of five calls skips the one where the list of losses grows.
    growth = min(peaks["late"]) - min(peaks["early"])
    assert growth < 2048, f"peak memory of one call grew by {growth} bytes: {peaks}"
