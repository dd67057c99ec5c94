"""The scikit-learn estimator contract, end to end.

Model selection, persistence, pandas input, label types, incremental and warm
training, early stopping, progress output, warnings, interruption, sparse and
float32 input, and the fitted attributes scikit-learn documents.
"""

import dataclasses
import os
import pickle
import re
import threading
import warnings
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import scipy
import scipy.optimize
import scipy.sparse as sp
from fit_helpers import STOCHASTIC
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

import skmlp
from skmlp import _optimizers

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"


def _patch_update(monkeypatch, solver, wrapper):
    """Replace the update of optimiser ``solver`` by ``wrapper(update)``."""
    record = _optimizers.OPTIMIZERS[solver]
    patched = dataclasses.replace(record, update=wrapper(record.update))
    monkeypatch.setitem(_optimizers.OPTIMIZERS, solver, patched)


def _classification(n_classes=3, n_samples=150, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=seed,
    )


def _regression(n_targets=1, n_samples=150, seed=0):
    X, y = make_regression(
        n_samples=n_samples,
        n_features=6,
        n_targets=n_targets,
        noise=1.0,
        random_state=seed,
    )
    return X, y / y.std()


def _weights(est):
    return est.coefs_ + est.intercepts_


# ------------------------------------------------------------ model selection
@pytest.mark.slow
@pytest.mark.filterwarnings(CONVERGENCE)
def test_grid_search_in_pipeline_matches_sklearn():
    """Check that GridSearchCV(n_jobs=2) over a pipeline scores as with sklearn."""
    X, y = load_iris(return_X_y=True)
    grid = {
        "mlp__alpha": [1e-4, 1.0],
        "mlp__hidden_layer_sizes": [(5,), (10,)],
    }

    def search(mlp_class):
        mlp = mlp_class(max_iter=50, random_state=0)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
        return GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)

    ours, theirs = search(skmlp.MLPClassifier), search(sk.MLPClassifier)
    assert ours.best_params_ == theirs.best_params_
    assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.filterwarnings(CONVERGENCE)
def test_cross_validate_matches_sklearn():
    """Check that cross_validate gives scikit-learn's scores on every fold."""
    X, y = _regression()
    scoring = ["r2", "neg_mean_squared_error"]
    params = {"hidden_layer_sizes": (8,), "max_iter": 30, "random_state": 0}
    ours = cross_validate(skmlp.MLPRegressor(**params), X, y, cv=3, scoring=scoring)
    theirs = cross_validate(sk.MLPRegressor(**params), X, y, cv=3, scoring=scoring)
    for name in scoring:
        assert_allclose(ours[f"test_{name}"], theirs[f"test_{name}"], rtol=1e-6)


# ---------------------------------------------------------------- persistence
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_pickle_round_trip_predicts_identically(solver):
    """Check that an unpickled model predicts exactly as the original."""
    X, y = _classification()
    clf = skmlp.MLPClassifier(
        hidden_layer_sizes=(7,), solver=solver, max_iter=20, random_state=0
    ).fit(X, y)
    X_reg, y_reg = _regression(n_targets=2)
    reg = skmlp.MLPRegressor(
        hidden_layer_sizes=(7,), solver=solver, max_iter=20, random_state=0
    ).fit(X_reg, y_reg)

    clf_copy = pickle.loads(pickle.dumps(clf))
    reg_copy = pickle.loads(pickle.dumps(reg))
    assert_array_equal(clf_copy.predict(X), clf.predict(X))
    assert_array_equal(clf_copy.predict_proba(X), clf.predict_proba(X))
    assert_array_equal(reg_copy.predict(X_reg), reg.predict(X_reg))


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_pickled_model_continues_partial_fit_identically(solver):
    """Check that partial_fit after unpickling continues exactly as without."""
    X, y = _classification()
    clf = skmlp.MLPClassifier(hidden_layer_sizes=(7,), solver=solver, random_state=0)
    clf.partial_fit(X[:75], y[:75], classes=np.unique(y))
    clf_copy = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X[75:], y[75:])
    clf_copy.partial_fit(X[75:], y[75:])
    for ours, restored in zip(_weights(clf), _weights(clf_copy), strict=True):
        assert_array_equal(restored, ours)


# --------------------------------------------------------------------- pandas
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("mlp_class", [skmlp.MLPClassifier, skmlp.MLPRegressor])
def test_dataframe_input_sets_feature_names(mlp_class):
    """Check that a DataFrame sets feature_names_in_ and predicts like an array."""
    X, y = _classification() if mlp_class is skmlp.MLPClassifier else _regression()
    columns = [f"feature_{index}" for index in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    params = {"hidden_layer_sizes": (5,), "max_iter": 10, "random_state": 0}
    est = mlp_class(**params).fit(frame, pd.Series(y))

    assert_array_equal(est.feature_names_in_, columns)
    assert est.n_features_in_ == X.shape[1]
    from_array = mlp_class(**params).fit(X, y)
    assert not hasattr(from_array, "feature_names_in_")
    assert_array_equal(est.predict(frame), from_array.predict(X))


PAIRS = {
    "classifier": (skmlp.MLPClassifier, sk.MLPClassifier),
    "regressor": (skmlp.MLPRegressor, sk.MLPRegressor),
}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("kind", PAIRS)
def test_dataframe_feature_name_checks_match_sklearn(kind):
    """Check that mismatched feature names raise or warn as in scikit-learn."""
    X, y = _classification() if kind == "classifier" else _regression()
    columns = [f"feature_{index}" for index in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    renamed = frame.rename(columns={"feature_0": "other"})
    for mlp_class in PAIRS[kind]:  # the same behaviour from both, ours first
        params = {"hidden_layer_sizes": (5,), "max_iter": 5, "random_state": 0}
        est = mlp_class(**params).fit(frame, y)
        with pytest.raises(ValueError, match="feature names should match"):
            est.predict(renamed)
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            est.predict(X)
        fitted_on_array = mlp_class(**params).fit(X, y)
        with pytest.warns(UserWarning, match="fitted without feature names"):
            fitted_on_array.predict(frame)


# --------------------------------------------------------------------- labels
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_string_labels(n_classes):
    """Check that string labels give string classes_ and predictions, as sklearn."""
    X, y_int = _classification(n_classes=n_classes)
    names = np.array(["cat", "dog", "emu"])[:n_classes]
    y = names[y_int]
    params = {"hidden_layer_sizes": (5,), "max_iter": 20, "random_state": 0}
    ours = skmlp.MLPClassifier(**params).fit(X, y)
    theirs = sk.MLPClassifier(**params).fit(X, y)

    assert_array_equal(ours.classes_, np.sort(names))
    prediction = ours.predict(X)
    assert prediction.dtype.kind == y.dtype.kind
    assert set(prediction) <= set(names)
    assert_array_equal(prediction, theirs.predict(X))
    # Columns of predict_proba follow classes_.
    proba = ours.predict_proba(X)
    assert_array_equal(ours.classes_[proba.argmax(axis=1)], prediction)
    assert accuracy_score(y, prediction) == ours.score(X, y)


# ------------------------------------------------------------ incremental fit
def test_partial_fit_streaming_learns_over_chunks():
    """Check that partial_fit on successive chunks keeps improving the model."""
    X, y = _classification(n_samples=1000, seed=1)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = skmlp.MLPClassifier(hidden_layer_sizes=(10,), random_state=0)
    classes = np.unique(y)

    first_chunk = slice(0, 50)
    clf.partial_fit(X_train[first_chunk], y_train[first_chunk], classes=classes)
    first_score = clf.score(X_test, y_test)
    for _ in range(10):  # ten passes over the stream, 50 rows at a time
        for start in range(0, len(y_train), 50):
            rows = slice(start, start + 50)
            clf.partial_fit(X_train[rows], y_train[rows])
    assert_array_equal(clf.classes_, classes)
    assert clf.score(X_test, y_test) > first_score + 0.1
    assert clf.t_ == 50 + 10 * len(y_train)


def test_partial_fit_first_call_needs_classes():
    """Check that a classifier's first partial_fit without classes raises."""
    X, y = _classification()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        skmlp.MLPClassifier().partial_fit(X, y)


def test_partial_fit_classes_not_all_in_first_chunk():
    """Check that classes given up front may be absent from the first chunk."""
    X, y = _classification()
    first = y != 2
    clf = skmlp.MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    clf.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (len(y), 3)
    clf.partial_fit(X[~first], y[~first])
    assert clf.t_ == len(y)


# ----------------------------------------------------------------- warm start
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_warm_start_continues_from_fitted_weights(solver):
    """Check that a warm-started fit with max_iter=1 starts from coefs_."""
    X, y = _classification()
    params = {"hidden_layer_sizes": (6,), "solver": solver, "random_state": 0}
    clf = skmlp.MLPClassifier(warm_start=True, max_iter=20, **params).fit(X, y)
    before = [array.copy() for array in _weights(clf)]

    # With a tiny step the second fit can only move a hair from where it starts.
    clf.set_params(max_iter=1, learning_rate_init=1e-9).fit(X, y)
    for start, after in zip(before, _weights(clf), strict=True):
        assert_allclose(after, start, atol=1e-6)
    # A cold start with the same settings lands somewhere else entirely.
    cold = skmlp.MLPClassifier(max_iter=1, learning_rate_init=1e-9, **params)
    cold.fit(X, y)
    assert not np.allclose(cold.coefs_[0], before[0], atol=1e-3)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_warm_start_lbfgs_does_not_increase_the_loss():
    """Check that warm-started L-BFGS continues downhill from the fitted weights."""
    X, y = _classification()
    params = {"hidden_layer_sizes": (6,), "solver": "lbfgs", "random_state": 0}
    clf = skmlp.MLPClassifier(warm_start=True, max_iter=15, **params).fit(X, y)
    first_loss = clf.loss_
    # L-BFGS only accepts steps that decrease J, so a continuation ends at or
    # below the loss where it started; a fresh start after one step does not.
    clf.set_params(max_iter=1).fit(X, y)
    assert clf.loss_ <= first_loss
    cold = skmlp.MLPClassifier(max_iter=1, **params).fit(X, y)
    assert cold.loss_ > first_loss


def _blas_threads():
    """Return {'numpy': [...], 'scipy': [...]}: thread limits of each one's own BLAS."""
    owners = {
        name: tuple(os.path.realpath(d) + os.sep for d in (root, root + ".libs"))
        for name, root in [
            ("numpy", os.path.dirname(np.__file__)),
            ("scipy", os.path.dirname(scipy.__file__)),
        ]
    }
    return {
        name: [
            info["num_threads"]
            for info in threadpool_info()
            if info["user_api"] == "blas"
            and os.path.realpath(info["filepath"]).startswith(dirs)
        ]
        for name, dirs in owners.items()
    }


@pytest.fixture
def two_blas_pools():
    """Run the test with numpy's and scipy's own BLAS at 2 threads each."""
    if not all(_blas_threads().values()):
        pytest.skip("numpy and scipy do not each ship their own BLAS here")
    with threadpool_limits(limits=2, user_api="blas"):
        yield


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize(
    ("solver", "method"),
    [
        ("lbfgs", "fit"),
        ("sgd", "fit"),
        ("adam", "fit"),
        ("sgd", "partial_fit"),
        ("adam", "partial_fit"),
    ],
)
def test_training_runs_scipy_blas_on_one_thread(
    two_blas_pools, monkeypatch, solver, method
):
    """Check that training runs scipy's own BLAS on 1 thread, and restores it.

    The solvers do vector updates through scipy's BLAS between numpy's
    products; numpy's BLAS keeps its threads.
    """
    seen = []

    def recording(function):
        def record_and_call(*args, **kwargs):
            seen.append(_blas_threads())
            return function(*args, **kwargs)

        return record_and_call

    if solver == "lbfgs":
        monkeypatch.setattr(
            scipy.optimize, "minimize", recording(scipy.optimize.minimize)
        )
    else:
        _patch_update(monkeypatch, solver, recording)
    X, y = _classification()
    clf = skmlp.MLPClassifier((5,), solver=solver, max_iter=5, random_state=0)
    if method == "fit":
        clf.fit(X, y)
    else:
        clf.partial_fit(X, y, classes=np.unique(y))
    assert seen
    assert all(threads == {"numpy": [2], "scipy": [1]} for threads in seen)
    assert _blas_threads() == {"numpy": [2], "scipy": [2]}


@pytest.mark.filterwarnings(CONVERGENCE)
def test_warm_start_with_other_classes_raises():
    """Check that warm_start refuses a target with a different set of classes."""
    X, y = _classification()
    clf = skmlp.MLPClassifier(hidden_layer_sizes=(5,), warm_start=True, max_iter=5)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y`"):
        clf.fit(X[y != 2], y[y != 2])


# ------------------------------------------------------------- early stopping
def _validation_split(X, y, random_state, layer_units, stratify, fraction):
    """Return (X_val, y_val) as the estimator splits them off for early stopping.

    The estimator's RandomState first draws every layer's W and then b
    (Glorot uniform, one number per parameter), then is handed to
    train_test_split; only a classifier with one output (binary) stratifies.
    """
    rng = np.random.RandomState(random_state)
    for fan_in, fan_out in pairwise(layer_units):
        rng.uniform(size=(fan_in, fan_out))
        rng.uniform(size=fan_out)
    _, X_val, _, y_val = train_test_split(
        X, y, random_state=rng, test_size=fraction, stratify=y if stratify else None
    )
    return X_val, y_val


@pytest.mark.parametrize("n_classes", [2, 3, None])
def test_early_stopping_restores_best_weights(n_classes):
    """Check that early stopping returns the weights of the best validation score."""
    if n_classes is None:
        mlp_class, (X, y) = skmlp.MLPRegressor, _regression(n_samples=300)
    else:
        mlp_class, (X, y) = skmlp.MLPClassifier, _classification(n_classes, 300)
    # tol=0: an epoch only counts as an improvement if it beats the best score.
    est = mlp_class(
        hidden_layer_sizes=(10,),
        solver="adam",
        learning_rate_init=0.05,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        tol=0.0,
        max_iter=500,
        random_state=0,
    ).fit(X, y)

    assert est.n_iter_ < est.max_iter
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The last epoch was worse than the best, so the weights were restored.
    assert est.validation_scores_[-1] < est.best_validation_score_
    units = (X.shape[1], 10, 1 if n_classes in (2, None) else n_classes)
    X_val, y_val = _validation_split(X, y, 0, units, n_classes == 2, 0.2)
    metric = r2_score if n_classes is None else accuracy_score
    assert_allclose(metric(y_val, est.predict(X_val)), est.best_validation_score_)


# ----------------------------------------------------------------- reporting
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_prints_loss_per_iteration(solver, capsys):
    """Check that verbose=True prints 'Iteration N, loss = ...' every iteration."""
    X, y = _classification()
    clf = skmlp.MLPClassifier(
        hidden_layer_sizes=(5,), solver=solver, max_iter=4, verbose=True, random_state=0
    ).fit(X, y)
    lines = re.findall(r"Iteration (\d+), loss = ([0-9.]+)", capsys.readouterr().out)

    assert [int(number) for number, _ in lines] == list(range(1, clf.n_iter_ + 1))
    assert clf.n_iter_ == 4
    printed = [float(loss) for _, loss in lines]
    if solver == "lbfgs":
        assert_allclose(printed[-1], clf.loss_, atol=1e-8)
    else:
        assert_allclose(printed, clf.loss_curve_, atol=1e-8)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_verbose_iterations_match_sklearn_across_fit_and_partial_fit(solver, capsys):
    """Check that fit then partial_fit print the same iteration lines as sklearn."""
    X, y = _classification()
    printed = []
    for module in (skmlp, sk):
        est = module.MLPClassifier(
            hidden_layer_sizes=(5,),
            solver=solver,
            max_iter=3,
            verbose=True,
            random_state=0,
        )
        est.fit(X, y)
        est.partial_fit(X, y)
        out = capsys.readouterr().out
        printed.append(re.findall(r"Iteration \d+, loss = [0-9.]+", out))
    assert printed[0] == printed[1]
    assert [line.split(",")[0] for line in printed[0]] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
        "Iteration 1",
    ]


@pytest.mark.filterwarnings(CONVERGENCE)
def test_verbose_false_prints_nothing(capsys):
    """Check that the default verbose=False prints nothing."""
    X, y = _classification()
    skmlp.MLPClassifier(hidden_layer_sizes=(5,), max_iter=300, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("mlp_class", [skmlp.MLPClassifier, skmlp.MLPRegressor])
@pytest.mark.parametrize(
    ("solver", "message"),
    [
        ("sgd", r"Maximum iterations \(3\) reached"),
        ("adam", r"Maximum iterations \(3\) reached"),
        ("lbfgs", "lbfgs failed to converge"),
    ],
)
def test_max_iter_reached_warns(mlp_class, solver, message):
    """Check that stopping at max_iter warns a ConvergenceWarning."""
    X, y = _classification() if mlp_class is skmlp.MLPClassifier else _regression()
    est = mlp_class(hidden_layer_sizes=(5,), solver=solver, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=message):
        est.fit(X, y)
    assert est.n_iter_ == 3


def test_divergence_warns_and_keeps_finite_weights():
    """Check that a diverging SGD run warns and keeps finite, usable weights."""
    X, y = make_regression(n_samples=200, n_features=10, random_state=0)
    X = 1000 * X  # unscaled inputs with a large learning rate blow up
    reg = skmlp.MLPRegressor(solver="sgd", learning_rate_init=10.0, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X, y)

    messages = [
        str(warning.message)
        for warning in caught
        if issubclass(warning.category, ConvergenceWarning)
    ]
    assert len(messages) == 1
    assert re.search(r"iteration \d+", messages[0])
    assert "learning_rate_init" in messages[0]
    assert reg.n_iter_ < reg.max_iter
    assert all(np.isfinite(array).all() for array in _weights(reg))
    assert np.isfinite(reg.predict(X)).all()
    assert all(np.isfinite(reg.loss_curve_))


def test_keyboard_interrupt_goes_back_to_the_last_finished_epoch(monkeypatch):
    """Check that Ctrl-C during fit warns and keeps the last finished epoch's model."""
    X, y = _classification(n_samples=120)
    params = {
        "hidden_layer_sizes": (5,),
        "batch_size": 40,
        "max_iter": 10,
        "random_state": 0,
    }
    calls = []

    def interrupting_on_fifth_call(update):
        def interrupt_on_fifth_call(*args):
            calls.append(None)
            if len(calls) == 5:
                raise KeyboardInterrupt
            return update(*args)

        return interrupt_on_fifth_call

    # Three batches per epoch: the fifth step is in the second epoch, which is
    # undone whole. scikit-learn's MLP stopped after one epoch gives the oracle.
    _patch_update(monkeypatch, "adam", interrupting_on_fifth_call)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        ours = skmlp.MLPClassifier(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        theirs = sk.MLPClassifier(**{**params, "max_iter": 1}).fit(X, y)

    assert np.isfinite(ours.predict_proba(X)).all()
    assert ours.n_iter_ == len(ours.loss_curve_) == 1
    assert ours.t_ == theirs.t_
    for mine, reference in zip(_weights(ours), _weights(theirs), strict=True):
        assert_allclose(mine, reference, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------- input kinds
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_no_hidden_layer(solver):
    """Check that hidden_layer_sizes=() fits a linear model in both estimators."""
    X, y = _classification()
    X_reg, y_reg = _regression()
    params = {"hidden_layer_sizes": (), "solver": solver, "max_iter": 5}
    for ours_class, theirs_class, data in [
        (skmlp.MLPClassifier, sk.MLPClassifier, (X, y)),
        (skmlp.MLPRegressor, sk.MLPRegressor, (X_reg, y_reg)),
    ]:
        ours = ours_class(random_state=0, **params).fit(*data)
        theirs = theirs_class(random_state=0, **params).fit(*data)
        assert ours.n_layers_ == 2
        assert len(ours.coefs_) == 1
        assert ours.coefs_[0].shape == (X.shape[1], ours.n_outputs_)
        assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-6, atol=1e-8)
        assert ours.predict(data[0]).shape == data[1].shape


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("sparse_container", [sp.csr_matrix, sp.csc_matrix])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_sparse_input_same_as_dense(solver, sparse_container):
    """Check that sparse X trains and predicts as the same dense X."""
    X, y = _classification()
    X[np.abs(X) < 0.8] = 0.0  # make it genuinely sparse
    params = {"hidden_layer_sizes": (5,), "solver": solver, "max_iter": 5}
    dense = skmlp.MLPClassifier(random_state=0, **params).fit(X, y)
    sparse = skmlp.MLPClassifier(random_state=0, **params).fit(sparse_container(X), y)

    for from_sparse, from_dense in zip(_weights(sparse), _weights(dense), strict=True):
        assert_allclose(from_sparse, from_dense, rtol=1e-9, atol=1e-12)
    assert_allclose(
        sparse.predict_proba(sparse_container(X)), dense.predict_proba(X), rtol=1e-9
    )


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_dtype_is_preserved(solver, dtype):
    """Check that float32 input gives float32 weights and float64 gives float64."""
    X, y = _classification()
    X_reg, y_reg = _regression()
    params = {"hidden_layer_sizes": (5,), "solver": solver, "max_iter": 5}
    clf = skmlp.MLPClassifier(random_state=0, **params).fit(X.astype(dtype), y)
    reg = skmlp.MLPRegressor(random_state=0, **params).fit(X_reg.astype(dtype), y_reg)
    for est in (clf, reg):
        assert all(array.dtype == dtype for array in _weights(est))
    assert clf.predict_proba(X.astype(dtype)).dtype == dtype
    assert reg.predict(X_reg.astype(dtype)).dtype == dtype


@pytest.mark.filterwarnings(CONVERGENCE)
def test_integer_input_trains_in_float64():
    """Check that integer X is converted to float64, as scikit-learn does."""
    X, y = _classification()
    clf = skmlp.MLPClassifier(hidden_layer_sizes=(3,), max_iter=300, random_state=0)
    clf.fit(np.round(10 * X).astype(np.int64), y)
    assert all(array.dtype == np.float64 for array in _weights(clf))


# ------------------------------------------------------- fitted attributes
def _public_fitted_attributes(est):
    return {name for name in vars(est) if name.endswith("_") and name[0] != "_"}


FITTED_CASES = {
    "binary": lambda: (skmlp.MLPClassifier, sk.MLPClassifier, _classification(2)),
    "multiclass": lambda: (skmlp.MLPClassifier, sk.MLPClassifier, _classification(3)),
    "multilabel": lambda: (
        skmlp.MLPClassifier,
        sk.MLPClassifier,
        make_multilabel_classification(n_samples=150, n_classes=4, random_state=0),
    ),
    "regression": lambda: (skmlp.MLPRegressor, sk.MLPRegressor, _regression()),
}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("case", FITTED_CASES)
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fitted_attributes_match_sklearn(solver, case):
    """Check that n_iter_, t_, n_layers_, n_outputs_, out_activation_ are sklearn's."""
    ours_class, theirs_class, (X, y) = FITTED_CASES[case]()
    # A coarse tol ends most stochastic runs (and one L-BFGS run) before
    # max_iter, so n_iter_ and t_ also test the stopping rule.
    params = {
        "hidden_layer_sizes": (6, 4),
        "solver": solver,
        "learning_rate_init": 0.01,
        "tol": 1e-2,
        "n_iter_no_change": 3,
        "max_iter": 60,
        "random_state": 0,
    }
    ours = ours_class(**params).fit(X, y)
    theirs = theirs_class(**params).fit(X, y)
    for name in ("n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_"):
        assert getattr(ours, name) == getattr(theirs, name), name
    # Every fitted attribute scikit-learn sets exists here too (we add a few).
    assert _public_fitted_attributes(theirs) <= _public_fitted_attributes(ours)
    assert ours.n_features_in_ == theirs.n_features_in_
    if ours_class is skmlp.MLPClassifier:
        assert_array_equal(ours.classes_, theirs.classes_)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_poisson_regressor_predicts_positive_values():
    """Check that loss='poisson' uses the exp output and predicts positive values."""
    X, _ = _regression()
    y = np.random.RandomState(0).poisson(np.exp(0.3 * X[:, 0]))
    reg = skmlp.MLPRegressor(loss="poisson", hidden_layer_sizes=(5,), max_iter=300)
    reg.set_params(random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    assert (reg.predict(X) > 0).all()


@pytest.mark.filterwarnings(CONVERGENCE)
def test_overlapping_fits_in_threads_restore_scipy_blas_threads(
    two_blas_pools, monkeypatch
):
    """Check that fits overlapping in two threads leave scipy's BLAS as it was.

    The first fit finishes while the second still runs, the order in which a
    plain read-then-set of the limit would restore 1 thread for good.
    """
    both_inside, first_done = threading.Barrier(2), threading.Event()
    waited = threading.local()

    def meeting_then_stepping(update):
        def meet_then_step(*args):
            if not getattr(waited, "done", False):
                waited.done = True
                both_inside.wait(timeout=30)
                if threading.current_thread().name == "second":
                    first_done.wait(timeout=30)
            return update(*args)

        return meet_then_step

    _patch_update(monkeypatch, "sgd", meeting_then_stepping)
    X, y = _classification()

    def fit(max_iter):
        skmlp.MLPClassifier((5,), solver="sgd", max_iter=max_iter).fit(X, y)

    second = threading.Thread(target=fit, args=(3,), name="second")
    second.start()
    fit(1)
    first_done.set()
    second.join(timeout=60)
    assert not second.is_alive()
    assert _blas_threads() == {"numpy": [2], "scipy": [2]}
