"""Tests of skmlp.onnx: onnxruntime gives what predict and predict_proba give."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor
from skmlp._activations import HIDDEN_ACTIVATIONS

pytest.importorskip("skl2onnx", reason="skl2onnx is in the onnx extra")
rt = pytest.importorskip("onnxruntime", reason="onnxruntime is in the onnx extra")
skmlp_onnx = pytest.importorskip("skmlp.onnx")

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)

# (dtype, tolerance): a float32 graph holds float32 weights, so it agrees with
# the float64 prediction to float32 precision only.
DTYPES = {"float32": (np.float32, 1e-5), "float64": (np.float64, 1e-12)}


def _data(n_samples=60, n_features=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n_samples, n_features))


def _run(est, X, dtype, options=None):
    """Return the outputs of the ONNX model of est, run by onnxruntime on X."""
    X = X.astype(dtype)
    onx = skmlp_onnx.to_onnx(est, X[:1], options=options)
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def _regressor(**params):
    defaults = {"hidden_layer_sizes": (5, 3), "solver": "lbfgs", "max_iter": 40}
    return MLPRegressor(random_state=0, **{**defaults, **params})


def _classifier(**params):
    return MLPClassifier((6,), solver="lbfgs", max_iter=40, random_state=0, **params)


def _check_classifier(clf, X, dtype_name):
    """Assert that the ONNX labels and probabilities match clf's, zipmap off."""
    dtype, tol = DTYPES[dtype_name]
    label, proba = _run(clf, X, dtype, options={id(clf): {"zipmap": False}})
    assert proba.dtype == dtype
    assert_array_equal(label, clf.predict(X))
    assert_allclose(proba, clf.predict_proba(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_regressor_matches_predict_for_every_activation(activation, dtype_name):
    """Check that each hidden activation gives predict's values in ONNX."""
    dtype, tol = DTYPES[dtype_name]
    X = _data()
    reg = _regressor(activation=activation).fit(X, X @ [1.0, -2.0, 0.5, 3.0])
    (values,) = _run(reg, X, dtype)
    assert values.shape == (len(X), 1)
    assert values.dtype == dtype
    assert_allclose(values.ravel(), reg.predict(X), rtol=tol, atol=tol)


def test_gelu_matches_for_large_inputs_in_float64():
    """Check that the float64 erf holds far into both tails of the gelu."""
    X = 20 * _data()
    reg = _regressor(activation="gelu", max_iter=5).fit(X, X[:, 0])
    (values,) = _run(reg, X, np.float64)
    assert_allclose(values.ravel(), reg.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_multi_output_regressor_keeps_its_shape(dtype_name):
    """Check that three outputs come out as (n_samples, 3), as predict gives."""
    dtype, tol = DTYPES[dtype_name]
    X = _data()
    reg = _regressor().fit(X, X[:, :3] * [1.0, -1.0, 2.0])
    (values,) = _run(reg, X, dtype)
    assert values.shape == (len(X), 3)
    assert_allclose(values, reg.predict(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_poisson_regressor_keeps_its_exponential_output(dtype_name):
    """Check that loss='poisson' exports the exp output, positive like predict."""
    dtype, tol = DTYPES[dtype_name]
    X = _data()
    y = np.random.default_rng(1).poisson(np.exp(X[:, 0]))
    reg = _regressor(loss="poisson").fit(X, y)
    (values,) = _run(reg, X, dtype)
    assert (values > 0).all()
    assert_allclose(values.ravel(), reg.predict(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize(
    "labels",
    [[0, 1], [3, 7, 9], ["no", "yes"], ["cat", "dog", "emu"]],
    ids=["binary", "multiclass", "binary-str", "multiclass-str"],
)
def test_classifier_matches_predict_and_proba(labels, dtype_name):
    """Check labels and probabilities of binary and multiclass targets."""
    X = _data()
    y = np.asarray(labels)[np.argsort(X[:, :2].sum(axis=1)) % len(labels)]
    clf = _classifier().fit(X, y)
    _check_classifier(clf, X, dtype_name)


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_multilabel_classifier_matches_predict_and_proba(dtype_name):
    """Check that a multilabel target gives predict's indicator matrix."""
    X = _data()
    Y = (X[:, :3] > 0).astype(int)
    clf = _classifier().fit(X, Y)
    _check_classifier(clf, X, dtype_name)


def test_classifier_zipmap_default_gives_one_dict_per_sample():
    """Check that the default zipmap maps each class label to its probability."""
    X = _data()
    y = np.array(["a", "b", "c"])[np.arange(len(X)) % 3]
    clf = _classifier().fit(X, y)
    label, proba = _run(clf, X, np.float32)
    assert_array_equal(label, clf.predict(X))
    expected = clf.predict_proba(X)
    assert [sorted(row) for row in proba] == [list(clf.classes_)] * len(X)
    as_array = np.array([[row[c] for c in clf.classes_] for row in proba])
    assert_allclose(as_array, expected, rtol=1e-5, atol=1e-5)


def _zipmap_as_array(proba, classes):
    """Return the ZipMap output (one dict per sample) as an array of columns."""
    assert [sorted(row) for row in proba] == [sorted(classes)] * len(proba)
    return np.array([[row[c] for c in classes] for row in proba])


@pytest.mark.parametrize(
    "labels",
    [[0, 1], [3, 7, 9], ["no", "yes"], ["cat", "dog", "emu"], "multilabel"],
    ids=["binary", "multiclass", "binary-str", "multiclass-str", "multilabel"],
)
def test_float64_classifier_with_default_options_runs(labels):
    """Check that a float64 graph with the default zipmap loads, runs and agrees."""
    X = _data()
    if labels == "multilabel":
        y = (X[:, :3] > 0).astype(int)
    else:
        y = np.asarray(labels)[np.argsort(X[:, :2].sum(axis=1)) % len(labels)]
    clf = _classifier().fit(X, y)
    label, proba = _run(clf, X, np.float64)
    assert_array_equal(label, clf.predict(X))
    # ZipMap holds float32 values: the float64 probabilities, rounded once.
    columns = range(len(clf.classes_)) if labels == "multilabel" else clf.classes_
    as_array = _zipmap_as_array(proba, list(columns))
    assert_allclose(as_array, clf.predict_proba(X), rtol=1e-7, atol=1e-8)


def test_float64_pipeline_with_default_options_runs():
    """Check that a float64 Pipeline(StandardScaler, MLPClassifier) runs with ZipMap."""
    X = 5 + 3 * _data()
    y = np.array(["a", "b", "c"])[(X[:, 0] > 5).astype(int) + (X[:, 1] > 5)]
    pipe = make_pipeline(StandardScaler(), _classifier()).fit(X, y)
    label, proba = _run(pipe, X, np.float64)
    assert_array_equal(label, pipe.predict(X))
    as_array = _zipmap_as_array(proba, list(pipe.classes_))
    assert_allclose(as_array, pipe.predict_proba(X), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("label", [4, "only"])
def test_one_class_classifier_exports_without_zipmap(label, dtype_name):
    """Check that a one-class model's graph gives predict and predict_proba."""
    X = _data()
    # Hardly trained, so that p > 0.5 on some rows and p < 0.5 on others.
    clf = MLPClassifier((6,), solver="sgd", max_iter=1, learning_rate_init=1e-6)
    clf = clf.set_params(random_state=0).fit(X, np.full(len(X), label))
    assert 0 < (clf.predict_proba(X)[:, 1] > 0.5).mean() < 1
    label_out, proba = _run(clf, X, DTYPES[dtype_name][0], {id(clf): {"zipmap": False}})
    assert_array_equal(label_out, np.full(len(X), label))
    tol = DTYPES[dtype_name][1]
    assert_allclose(proba, clf.predict_proba(X), rtol=tol, atol=tol)


@pytest.mark.parametrize("zipmap", [True, "columns"])
def test_one_class_classifier_with_zipmap_names_the_option(zipmap):
    """Check that ZipMap on a one-class model is refused naming the option."""
    X = _data()
    clf = _classifier().fit(X, np.zeros(len(X), dtype=int))
    with pytest.raises(ValueError, match=r"one class \(0\).*zipmap.*False"):
        skmlp_onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": zipmap}})


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_pipeline_with_scaler_converts(dtype_name):
    """Check that a Pipeline(StandardScaler, MLPClassifier) converts and agrees."""
    X = 5 + 3 * _data()
    y = (X[:, 0] > 5).astype(int) + (X[:, 1] > 5)
    pipe = make_pipeline(StandardScaler(), _classifier()).fit(X, y)
    _check_classifier(pipe, X, dtype_name)


def test_pipeline_with_regressor_converts():
    """Check that a Pipeline(StandardScaler, MLPRegressor) converts and agrees."""
    X = 5 + 3 * _data()
    pipe = make_pipeline(StandardScaler(), _regressor()).fit(X, X @ [1, 2, 3, 4])
    (values,) = _run(pipe, X, np.float64)
    assert_allclose(values.ravel(), pipe.predict(X), rtol=1e-12, atol=1e-12)


def _python(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )


def test_import_skmlp_does_not_import_skl2onnx():
    """Check that only ``import skmlp.onnx`` loads skl2onnx, not ``import skmlp``."""
    result = _python("import sys, skmlp; print('skl2onnx' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_missing_skl2onnx_names_the_extra():
    """Check that the ImportError without skl2onnx says how to install it."""
    code = "import sys; sys.modules['skl2onnx'] = None; import skmlp.onnx"
    result = _python(code)
    assert 'pip install ".[onnx]"' in result.stderr
