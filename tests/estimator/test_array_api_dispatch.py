"""The estimators under scikit-learn's array API dispatch.

These tests need ``SCIPY_ARRAY_API=1`` in the environment before scipy is
first imported, so the main test run skips them and ``test_array_api.py``
runs this file again in a process that has it. array_api_strict (in the test
extra) stands in for a GPU library; torch runs too where it is installed.
"""

import os
import pickle
import sys

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from fit_helpers import CONVERGENCE, classification, regression
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import estimator_checks_generator

from skmlp import MLPClassifier, MLPRegressor
from skmlp._activations import HIDDEN_ACTIVATIONS
from skmlp._arrays import array_ops
from skmlp._losses import LOSSES, REGRESSION_LOSSES

if os.environ.get("SCIPY_ARRAY_API") != "1":
    pytest.skip(
        "needs SCIPY_ARRAY_API=1 before scipy is imported; "
        "test_array_api.py runs this file with it",
        allow_module_level=True,
    )
pytestmark = pytest.mark.filterwarnings(CONVERGENCE)

xps = pytest.importorskip("array_api_strict")
from sklearn.utils._array_api import move_estimator_to, move_to  # noqa: E402

# Where to put the arrays: (library module, device). device1 is a second
# device of array_api_strict, so that arrays left on the default one show.
PLACES = {
    "strict": ("array_api_strict", "CPU_DEVICE"),
    "strict-device1": ("array_api_strict", "device1"),
    "torch-cpu": ("torch", "cpu"),
}
TOLERANCE = {"float64": 1e-12, "float32": 1e-5}


def _library_and_device(place):
    name, device = PLACES[place]
    library = pytest.importorskip(name)
    if name == "array_api_strict":
        device = library.Device(device)
    return library, device


def on(place, array, dtype=None):
    """Return the numpy ``array`` in the library and on the device of ``place``."""
    library, device = _library_and_device(place)
    array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
    return library.asarray(array, device=device)


def host(array):
    """Return an array of any library as a numpy array."""
    return move_to(array, xp=np, device="cpu")


def assert_in_place(array, place):
    """Assert that ``array`` is of the library and on the device of ``place``."""
    library, device = _library_and_device(place)
    assert type(array).__module__.split(".")[0] == library.__name__
    assert str(array.device) == str(device)


def assert_close_weights(numpy_model, other_model, dtype):
    """Assert coefs_ and intercepts_ agree within the tolerance of ``dtype``."""
    pairs = zip(
        numpy_model.coefs_ + numpy_model.intercepts_,
        other_model.coefs_ + other_model.intercepts_,
        strict=True,
    )
    for expected, got in pairs:
        assert_allclose(host(got), expected, rtol=0, atol=TOLERANCE[dtype])


@pytest.fixture(autouse=True)
def dispatch_on():
    with sklearn.config_context(array_api_dispatch=True):
        yield


def _fit_both(make, X, y, place, dtype, **fit_params):
    """Return (the numpy fit, the fit of the same data in ``place``)."""
    X = X.astype(dtype)
    with sklearn.config_context(array_api_dispatch=False):
        reference = make().fit(X, y, **fit_params)
    moved = {
        key: on(place, value) if isinstance(value, np.ndarray) else value
        for key, value in fit_params.items()
    }
    return reference, make().fit(on(place, X), on(place, y), **moved)


# ------------------------------------------------------- scikit-learn checks
def _array_api_checks():
    for estimator in (MLPClassifier(max_iter=20), MLPRegressor(max_iter=20)):
        for _, check in estimator_checks_generator(estimator, legacy=True):
            name = check.func.__name__
            if name.startswith("check_array_api"):
                options = "-".join(str(value) for value in check.keywords.values())
                label = f"{type(estimator).__name__}-{name}-{options}"
                yield pytest.param(estimator, check, id=label)


@pytest.mark.parametrize("estimator, check", list(_array_api_checks()))
def test_scikit_learn_array_api_checks(estimator, check, request):
    """Check that scikit-learn's array API checks pass (unavailable ones skip)."""
    if "cuda" in request.node.callspec.id and not _has_cuda():
        # A CUDA build of torch on a machine without a GPU (or its driver).
        pytest.skip("no CUDA device available")
    check(estimator)


def _has_cuda():
    torch = sys.modules.get("torch")
    return torch is not None and torch.cuda.is_available()


# ---------------------------------------------------- the same fit as numpy
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_fit_matches_numpy(place, dtype, solver, n_classes):
    """Check that coefs_ equal the numpy fit's within 1e-12 (f64) or 1e-5 (f32)."""
    X, y = classification(n_classes=n_classes, n_samples=80)

    def make():
        return MLPClassifier((6,), solver=solver, max_iter=8, random_state=0)

    reference, model = _fit_both(make, X, y, place, dtype)
    assert_close_weights(reference, model, dtype)
    for array in model.coefs_ + model.intercepts_:
        assert_in_place(array, place)
    assert model.loss_ == pytest.approx(reference.loss_, rel=TOLERANCE[dtype])
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=TOLERANCE[dtype])


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_every_activation_matches_numpy(place, activation):
    """Check that every hidden activation trains to the numpy weights."""
    X, y = classification(n_samples=60)

    def make():
        return MLPClassifier((5, 4), activation=activation, max_iter=5, random_state=1)

    reference, model = _fit_both(make, X, y, place, "float64")
    assert_close_weights(reference, model, "float64")


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES))
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_every_regression_loss_matches_numpy(place, loss, solver):
    """Check that every regression loss trains to the numpy weights, 2 outputs."""
    X, y = regression(n_samples=60)
    Y = np.column_stack([y, -y])
    if loss == "poisson":
        Y = np.abs(Y)

    def make():
        return MLPRegressor(
            loss=loss,
            hidden_layer_sizes=(5,),
            solver=solver,
            max_iter=6,
            random_state=0,
        )

    reference, model = _fit_both(make, X, Y, place, "float64")
    assert_close_weights(reference, model, "float64")
    assert_in_place(model.predict(on(place, X)), place)


FEATURES = {
    "dropout": {"dropout": 0.3},
    "early_stopping": {"early_stopping": True, "n_iter_no_change": 2, "max_iter": 30},
    "no_shuffle": {"shuffle": False},
    "class_weight": {"class_weight": "balanced"},
    "nesterov_sgd": {"solver": "sgd", "momentum": 0.8, "max_grad_norm": 0.5},
    "cosine": {"learning_rate": "cosine"},
    "scoring_loss": {"early_stopping": True, "scoring": "loss", "max_iter": 10},
    "smoothing_and_decay": {"label_smoothing": 0.1, "weight_decay": 0.05},
}


@pytest.mark.parametrize("place", ["strict-device1", "torch-cpu"])
@pytest.mark.parametrize("feature", FEATURES)
def test_features_match_numpy(place, feature):
    """Check that dropout, early stopping, class weights... give numpy's weights."""
    X, y = classification(n_classes=3, n_samples=90)
    sample_weight = np.random.default_rng(0).uniform(0.5, 2, len(y))
    settings = {"max_iter": 6, "random_state": 2, **FEATURES[feature]}

    def make():
        return MLPClassifier((7,), **settings)

    reference, model = _fit_both(
        make, X, y, place, "float64", sample_weight=sample_weight
    )
    assert_close_weights(reference, model, "float64")
    assert model.n_iter_ == reference.n_iter_
    if reference.validation_scores_ is not None:
        assert_allclose(model.validation_scores_, reference.validation_scores_)


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
def test_given_validation_set_matches_numpy(place):
    """Check that X_val, y_val and sample_weight_val given to fit work in place."""
    X, y = classification(n_samples=100)
    val = {"X_val": X[:30], "y_val": y[:30], "sample_weight_val": np.ones(30)}

    def make():
        return MLPClassifier((5,), early_stopping=True, max_iter=6, random_state=0)

    reference, model = _fit_both(make, X[30:], y[30:], place, "float64", **val)
    assert_close_weights(reference, model, "float64")
    assert_allclose(model.validation_scores_, reference.validation_scores_)


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
def test_partial_fit_and_warm_start_match_numpy(place):
    """Check that partial_fit calls and a warm start continue as numpy's do."""
    X, y = classification(n_samples=60)
    models = {}
    for library in ("numpy", place):
        move = (lambda a: a) if library == "numpy" else (lambda a: on(place, a))
        model = MLPClassifier((4,), random_state=0, warm_start=True, max_iter=3)
        for start in (0, 20, 40):
            rows = slice(start, start + 20)
            model.partial_fit(move(X[rows]), move(y[rows]), classes=move([0, 1]))
        models[library] = model.fit(move(X), move(y))
    assert_close_weights(models["numpy"], models[place], "float64")
    assert models[place].t_ == models["numpy"].t_


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_device_without_float64_trains_in_float32(solver):
    """Check a device with no float64: integer X trains in float32, as numpy's."""
    X, y = classification(n_samples=60)
    X = np.round(X * 100).astype(np.int64)
    place = xps.Device("no_float64")

    def make():
        return MLPRegressor(
            hidden_layer_sizes=(4,), solver=solver, max_iter=4, random_state=0
        )

    with sklearn.config_context(array_api_dispatch=False):
        reference = make().fit(X.astype(np.float32), y)
    model = make().fit(xps.asarray(X, device=place), xps.asarray(y, device=place))
    assert model.coefs_[0].dtype == xps.float32
    assert model.coefs_[0].device == place
    assert_close_weights(reference, model, "float32")


# ------------------------------------------------------------------ outputs
METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("method", [*METHODS, "transform"])
def test_outputs_come_back_in_place(place, method):
    """Check that every method returns numpy's values, in X's library and device."""
    X, y = classification(n_classes=3, n_samples=50)
    reference = MLPClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    model = MLPClassifier((5,), max_iter=5, random_state=0).fit(
        on(place, X), on(place, y)
    )
    got = getattr(model, method)(on(place, X))
    assert_in_place(got, place)
    assert_allclose(host(got), getattr(reference, method)(X), atol=1e-12)
    assert model.score(on(place, X), on(place, y)) == pytest.approx(
        reference.score(X, y)
    )


@pytest.mark.parametrize("place", ["strict-device1", "torch-cpu"])
def test_numeric_labels_live_in_place_and_strings_stay_numpy(place):
    """Check classes_ and predict: numbers in X's library, strings in numpy."""
    X, y = classification(n_classes=3, n_samples=60)
    numbers = MLPClassifier((4,), max_iter=3, random_state=0).fit(
        on(place, X), on(place, y * 10)
    )
    assert_in_place(numbers.classes_, place)
    assert_array_equal(host(numbers.classes_), [0, 10, 20])
    assert_in_place(numbers.predict(on(place, X)), place)

    names = np.array(["ant", "bee", "cat"])[y]
    strings = MLPClassifier((4,), max_iter=3, random_state=0).fit(on(place, X), names)
    assert isinstance(strings.classes_, np.ndarray)
    predicted = strings.predict(on(place, X))
    assert isinstance(predicted, np.ndarray) and predicted.dtype.kind == "U"
    with sklearn.config_context(array_api_dispatch=False):
        reference = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, names)
    assert_array_equal(predicted, reference.predict(X))


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
def test_multilabel_targets_in_place(place):
    """Check a multilabel fit: numpy's weights, and indicator predictions in place."""
    X, y = classification(n_samples=60)
    Y = np.column_stack([y, 1 - y, y])

    def make():
        return MLPClassifier((4,), max_iter=4, random_state=0)

    reference, model = _fit_both(make, X, Y, place, "float64")
    assert_close_weights(reference, model, "float64")
    predicted = model.predict(on(place, X))
    assert_in_place(predicted, place)
    assert_array_equal(host(predicted), reference.predict(X))


# -------------------------------------------------------------- bad input
def test_sparse_input_with_dispatch_on_is_refused():
    """Check that sparse X under dispatch gets an error naming the problem."""
    X, y = classification(n_samples=40)
    with pytest.raises(ValueError, match="sparse matrix, but array_api_dispatch"):
        MLPClassifier(max_iter=2).fit(sp.csr_matrix(X), y)
    model = MLPClassifier((3,), max_iter=2).fit(on("strict", X), on("strict", y))
    with pytest.raises(ValueError, match="sparse matrix, but array_api_dispatch"):
        model.predict(sp.csr_matrix(X))


@pytest.mark.parametrize("method", METHODS)
def test_predicting_from_another_library_names_both(method):
    """Check that X of another library than fit's gets an error naming both."""
    X, y = classification(n_samples=40)
    model = MLPClassifier((3,), max_iter=2).fit(on("strict", X), on("strict", y))
    with pytest.raises(ValueError, match=rf"MLPClassifier.{method}.*numpy on cpu"):
        getattr(model, method)(X)
    with pytest.raises(ValueError, match=r"array_api_strict on .*device1"):
        getattr(model, method)(on("strict-device1", X))


def test_continuing_in_another_library_names_both_and_changes_nothing():
    """Check partial_fit and warm start with X elsewhere: clear error, model kept."""
    X, y = classification(n_samples=40)
    model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, warm_start=True)
    model.fit(on("strict", X), on("strict", y))
    before = pickle.dumps(move_estimator_to(model, np, "cpu"))
    with pytest.raises(ValueError, match=r"fitted on array_api_strict.*X is numpy"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on array_api_strict.*X is numpy"):
        model.fit(X, y)
    assert pickle.dumps(move_estimator_to(model, np, "cpu")) == before


def test_targets_and_weights_follow_x():
    """Check that y and sample_weight of another library move to X's."""
    X, y = classification(n_samples=50)
    weights = np.linspace(0.5, 1.5, 50)
    reference = MLPClassifier((4,), max_iter=4, random_state=0).fit(
        on("strict", X), on("strict", y), sample_weight=on("strict", weights)
    )
    mixed = MLPClassifier((4,), max_iter=4, random_state=0).fit(
        on("strict", X), y.tolist(), sample_weight=on("strict-device1", weights)
    )
    assert_close_weights(move_estimator_to(reference, np, "cpu"), mixed, "float64")


# ------------------------------------------------------- moving and saving
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_moved_model_pickles_and_trains_on_as_it_would_have(solver):
    """Check move_estimator_to: numpy copy predicts alike, pickles, trains on alike."""
    X, y = classification(n_samples=60)
    model = MLPClassifier((5,), solver=solver, max_iter=4, random_state=0)
    model.fit(on("strict", X), on("strict", y))
    moved = pickle.loads(pickle.dumps(move_estimator_to(model, np, "cpu")))
    assert isinstance(moved.coefs_[0], np.ndarray)
    assert_allclose(moved.predict_proba(X), host(model.predict_proba(on("strict", X))))

    model.partial_fit(on("strict", X), on("strict", y))
    moved.partial_fit(X, y)
    assert_close_weights(moved, model, "float64")
    assert_in_place(model.coefs_[0], "strict")


def test_dispatch_off_converts_other_libraries_as_before():
    """Check that without dispatch, torch input is converted and trains as numpy."""
    X, y = classification(n_samples=40)
    with sklearn.config_context(array_api_dispatch=False):
        reference = MLPClassifier((3,), max_iter=3, random_state=0).fit(X, y)
    torch = pytest.importorskip("torch")
    with sklearn.config_context(array_api_dispatch=False):
        model = MLPClassifier((3,), max_iter=3, random_state=0)
        model.fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(model.coefs_[0], np.ndarray)
    assert_close_weights(reference, model, "float64")


# ------------------------------------------------------------ the operations
@pytest.mark.parametrize("place", PLACES)
def test_out_writes_into_the_buffer_it_is_given(place):
    """Check that ``out=`` assigns into the very buffer, booleans cast as numpy."""
    a = on(place, [-1.0, 0.5, 2.0])
    delta = on(place, [3.0, 3.0, 3.0])
    xp = array_ops(a)
    view_of_delta = delta[1:, ...]
    result = xp.multiply(view_of_delta, a[1:] > 1, out=view_of_delta)
    assert result is view_of_delta
    assert_array_equal(host(delta), [3.0, 0.0, 3.0])
    xp.maximum(a, 0, out=a)
    assert_array_equal(host(a), [0.0, 0.5, 2.0])


@pytest.mark.parametrize("place", PLACES)
def test_losses_stay_on_the_device_until_read(place):
    """Check that a batch loss is a 0-d array of the library, numpy's a float."""
    A = on(place, [[0.2], [0.9]])
    Y = on(place, [[0.0], [1.0]])
    loss = LOSSES["squared_error"].value(Y, A)
    assert_in_place(loss, place)
    expected = LOSSES["squared_error"].value(host(Y), host(A))
    assert isinstance(expected, float)
    assert float(loss) == pytest.approx(expected, rel=1e-15)


def test_arrays_of_two_libraries_are_refused_by_name():
    """Check that mixing libraries in one call names both of them."""
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"array_api_strict.*torch"):
        array_ops(on("strict", [1.0]), torch.asarray([1.0]))


# ------------------------------------- data larger than a batch, callbacks
@pytest.mark.parametrize("place", ["strict", "strict-device1", "torch-cpu"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_several_batches_with_a_partial_last_one_match_numpy(place, early_stopping):
    """Check fits whose last mini-batch is partial, with and without early stopping."""
    X, y = classification(n_classes=3, n_samples=230)  # batches of 50: 4 and a 30

    def make():
        return MLPClassifier(
            (6,),
            batch_size=50,
            max_iter=4,
            early_stopping=early_stopping,
            validation_fraction=0.2,
            random_state=0,
        )

    reference, model = _fit_both(make, X, y, place, "float64")
    assert_close_weights(reference, model, "float64")
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-12)


class ScoresEachEpoch:
    """A callback that scores the model of every finished epoch on the training data."""

    def __init__(self, X, y):
        self.X, self.y, self.scores = X, y, []

    def setup(self, estimator, context):
        """Nothing to set up."""

    def on_fit_task_begin(self, estimator, context):
        """Nothing to do when a task starts."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Score the epoch's model, which predicts in the data's library."""
        if context.task_name == "epoch" and fitted_estimator is not None:
            self.scores.append(fitted_estimator.score(self.X, self.y))

    def teardown(self, estimator, context):
        """Nothing to tear down."""


@pytest.mark.parametrize("place", ["strict", "torch-cpu"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_callbacks_get_each_epochs_model_under_dispatch(place, solver):
    """Check that a callback scores every epoch's model, as for numpy input."""
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    X, y = classification(n_samples=60)
    params = {"max_iter": 3, "random_state": 0}
    with sklearn.config_context(array_api_dispatch=False):
        oracle = ScoresEachEpoch(X, y)
        MLPClassifier((4,), solver=solver, **params).set_callbacks(oracle).fit(X, y)
    Xp, yp = on(place, X), on(place, y)
    scoring = ScoresEachEpoch(Xp, yp)
    MLPClassifier((4,), solver=solver, **params).set_callbacks(scoring).fit(Xp, yp)
    assert len(scoring.scores) == len(oracle.scores) >= 3
    assert_allclose(scoring.scores, oracle.scores)


# --------------------------------------------------------- what predict takes
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_predict_casts_integer_and_boolean_x(dtype):
    """Check that int and bool X predict like the same values as floats."""
    X, y = classification(n_samples=60)
    model = MLPClassifier((4,), max_iter=3, random_state=0)
    model.fit(on("strict", X), on("strict", y))
    values = (X > 0) if dtype == "bool" else np.round(X * 3)
    expected = host(model.predict_proba(on("strict", values.astype(float))))
    got = model.predict_proba(on("strict", values.astype(dtype)))
    assert_allclose(host(got), expected, rtol=1e-12)


def test_complex_x_is_refused_like_numpys():
    """Check that complex X of another library gets scikit-learn's complex error."""
    X, y = classification(n_samples=40)
    Xc = on("strict", X.astype(np.complex128))
    with pytest.raises(ValueError, match="Complex data not supported"):
        MLPClassifier((3,), max_iter=2).fit(Xc, on("strict", y))
    model = MLPClassifier((3,), max_iter=2, random_state=0)
    model.fit(on("strict", X), on("strict", y))
    with pytest.raises(ValueError, match="Complex data not supported"):
        model.predict(Xc)


def test_torch_half_precision_and_gradients_are_taken():
    """Check float16 X at predict, and a tensor recording gradients at fit."""
    torch = pytest.importorskip("torch")
    X, y = classification(n_samples=60)
    Xt = torch.asarray(X, requires_grad=True)
    model = MLPClassifier((4,), max_iter=3, random_state=0).fit(Xt, torch.asarray(y))
    with sklearn.config_context(array_api_dispatch=False):
        reference = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    assert_close_weights(reference, model, "float64")
    half = model.predict_proba(torch.asarray(X, dtype=torch.float16))
    expected = reference.predict_proba(X.astype(np.float16).astype(np.float64))
    assert_allclose(host(half), expected, rtol=1e-10)


# ------------------------------------------- saving without moving to numpy
@pytest.mark.parametrize("place", ["strict-device1", "torch-cpu"])
@pytest.mark.parametrize("how", ["pickle", "skops"])
def test_a_model_saved_in_place_loads_in_place(place, how):
    """Check that pickle and skops save a model of another library as it is."""
    X, y = classification(n_samples=60)
    model = MLPClassifier((4,), max_iter=3, random_state=0)
    model.fit(on(place, X), on(place, y))
    if how == "pickle":
        loaded = pickle.loads(pickle.dumps(model))
    else:
        sio = pytest.importorskip("skops.io")
        loaded = sio.loads(sio.dumps(model), trusted=[type(model)])
    assert_in_place(loaded.coefs_[0], place)
    Xp = on(place, X)
    assert_allclose(host(loaded.predict_proba(Xp)), host(model.predict_proba(Xp)))
    loaded.partial_fit(Xp, on(place, y))
    model.partial_fit(Xp, on(place, y))
    assert_close_weights(move_estimator_to(model, np, "cpu"), loaded, "float64")


# ---------------------------------------------- the extension contract, here
def test_new_records_of_every_registry_match_numpy(monkeypatch):
    """Check that the contract suite's throwaway records train in place as numpy."""
    from contract_records import PARAMETERS, register_all

    register_all(monkeypatch)
    X, y = regression(n_samples=230)

    def make():
        return MLPRegressor(
            "log_cosh", (5,), batch_size=50, max_iter=3, random_state=0, **PARAMETERS
        )

    reference, model = _fit_both(make, X, y, "strict-device1", "float64")
    assert_close_weights(reference, model, "float64")
    assert_in_place(model.coefs_[0], "strict-device1")
