"""Tests that a fit never returns a broken model and a failed call changes nothing.

Each test names the situation it guards against: divergence, hopeless input,
validation scores that are never finite, zero-weight batches, a corrupt block
in a stream of partial_fit calls, targets past float32's range, interruptions,
and the smaller cases where a parameter used to be ignored silently.
"""

import copy
import dataclasses
import re
import warnings

import numpy as np
import pytest
import scipy.optimize
from numpy.testing import assert_allclose, assert_array_equal
from same_state import assert_same_state
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.utils.class_weight import compute_sample_weight

from skmlp import MLPClassifier, MLPRegressor, _optimizers

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"
SKLEARN_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


def _weights(est):
    return [*est.coefs_, *est.intercepts_]


def _fit_recording(est, *args, **kwargs):
    """Return (est fitted, warnings raised), failing on any RuntimeWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(*args, **kwargs)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, [str(w.message) for w in runtime]
    return est, [w for w in caught if issubclass(w.category, ConvergenceWarning)]


# ------------------------------------------------------------------ divergence
def test_divergence_keeps_the_epoch_with_the_lowest_loss():
    """Check that a diverging fit keeps its lowest-loss epoch, which predicts."""
    X, y = make_regression(n_samples=120, n_features=4, noise=1.0, random_state=0)
    params = {
        "hidden_layer_sizes": (50,),
        "activation": "identity",
        "solver": "sgd",
        "learning_rate_init": 10.0,
        "random_state": 0,
    }
    reg, caught = _fit_recording(MLPRegressor(max_iter=30, **params), X, 1e3 * y)

    assert len(caught) == 1
    message = str(caught[0].message)
    diverged, kept = map(int, re.findall(r"iteration (\d+)", message))
    assert kept < diverged == reg.n_iter_ + 1
    assert "lowest training loss" in message
    assert reg.loss_ == min(reg.loss_curve_) == reg.loss_curve_[kept - 1]
    assert np.isfinite(reg.predict(X)).all()
    # The weights kept are those of the same fit stopped at that epoch.
    with pytest.warns(ConvergenceWarning):
        stopped = MLPRegressor(max_iter=kept, **params).fit(X, 1e3 * y)
    for mine, reference in zip(_weights(reg), _weights(stopped), strict=True):
        assert_array_equal(mine, reference)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_hopeless_input_raises_sklearns_error_and_changes_nothing(solver):
    """Check that input no epoch can train on raises scikit-learn's ValueError."""
    rng = np.random.RandomState(0)
    X_big = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    reg = MLPRegressor(solver=solver, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
        _fit_recording(reg, X_big, y)
    assert not hasattr(reg, "coefs_")

    with pytest.warns(ConvergenceWarning):
        reg.fit(rng.standard_normal(size=(10, 2)), y)
    before = copy.deepcopy(vars(reg))
    with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
        _fit_recording(reg, X_big, y)
    assert_same_state(before, vars(reg))


@pytest.mark.filterwarnings(CONVERGENCE)
def test_corrupt_block_in_a_stream_leaves_the_model_as_it_was():
    """Check that a diverging partial_fit warns and changes nothing; the stream goes on.

    The oracle is the same stream without the corrupt block.
    """
    rng = np.random.RandomState(0)
    X = rng.standard_normal((100, 3))
    y = X @ [1.0, 2.0, 3.0]
    blocks = [slice(start, start + 20) for start in range(0, 100, 20)]
    corrupt = X[blocks[2]].copy()
    corrupt[0] = 1e80

    def stream(with_corrupt_block):
        reg = MLPRegressor(hidden_layer_sizes=(5,), solver="sgd", random_state=0)
        for index, rows in enumerate(blocks):
            if index == 2 and with_corrupt_block:
                before = copy.deepcopy(vars(reg))
                with pytest.warns(ConvergenceWarning, match="left as it was"):
                    reg.partial_fit(corrupt, y[rows])
                assert_same_state(before, vars(reg))
            reg.partial_fit(X[rows], y[rows])
        return reg

    ours, oracle = stream(True), stream(False)
    for mine, reference in zip(_weights(ours), _weights(oracle), strict=True):
        assert_array_equal(mine, reference)
    assert ours.loss_curve_ == oracle.loss_curve_


def test_first_partial_fit_that_diverges_raises():
    """Check that a first partial_fit that diverges raises and leaves no model."""
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    reg = MLPRegressor(solver="sgd", random_state=0)
    with pytest.raises(ValueError, match=re.escape(SKLEARN_MESSAGE)):
        reg.partial_fit(X, rng.standard_normal(size=10))
    assert not hasattr(reg, "coefs_")


# ------------------------------------------------------------- early stopping
def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_validation_score_never_finite_keeps_the_last_epoch():
    """Check that an always-NaN validation score warns and keeps the last epoch."""
    X, y = _breast_cancer()
    X_val, y_val = X[:40], y[:40]

    def nan_scorer(estimator, X, y):
        return np.nan

    params = {"hidden_layer_sizes": (5,), "max_iter": 5, "random_state": 0}
    clf = MLPClassifier(early_stopping=True, scoring=nan_scorer, **params)
    with pytest.warns(ConvergenceWarning, match="nan_scorer.*last epoch"):
        clf.fit(X, y, X_val=X_val, y_val=y_val)
    # With X_val there is no split, so the run is that of a fit without early
    # stopping over the same epochs.
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        plain = MLPClassifier(**params).fit(X, y)
    assert clf.n_iter_ == 5
    for mine, reference in zip(_weights(clf), _weights(plain), strict=True):
        assert_array_equal(mine, reference)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_nan_validation_scores_count_as_stalled():
    """Check that NaN scores stop training after n_iter_no_change epochs."""
    X, y = _breast_cancer()
    clf = MLPClassifier(
        (5,),
        early_stopping=True,
        scoring=lambda estimator, X, y: np.nan,
        n_iter_no_change=3,
        max_iter=50,
        random_state=0,
    )
    clf.fit(X, y)
    assert clf.n_iter_ == 4  # the fourth stalled epoch exceeds n_iter_no_change


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 4.0}, "balanced"])
def test_class_weight_weights_the_given_validation_set(class_weight):
    """Check that X_val is scored with the class weights the training data gets."""
    X, y = _breast_cancer()
    X_train, y_train, X_val, y_val = X[:400], y[:400], X[400:], y[400:]
    clf = MLPClassifier(
        (3,),
        class_weight=class_weight,
        early_stopping=True,
        max_iter=3,
        learning_rate_init=1e-4,
        random_state=0,
    )
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    # 'balanced' takes the class frequencies of the training targets.
    weights = compute_sample_weight(class_weight, y_train)
    per_class = {label: weights[y_train == label][0] for label in (0, 1)}
    val_weight = np.array([per_class[label] for label in y_val])
    expected = accuracy_score(y_val, clf.predict(X_val), sample_weight=val_weight)
    assert clf.best_validation_score_ == pytest.approx(expected)
    unweighted = accuracy_score(y_val, clf.predict(X_val))
    assert unweighted != pytest.approx(expected)


def test_multiclass_roc_auc_names_the_scorer_and_a_fix():
    """Check that a scorer that cannot score the validation set says which and why."""
    X, y = make_classification(
        n_samples=90, n_classes=3, n_informative=3, random_state=0
    )
    clf = MLPClassifier((3,), early_stopping=True, scoring="roc_auc", max_iter=3)
    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*'roc_auc_ovr'"):
        clf.fit(X, y)


# -------------------------------------------------------------- sample weights
def test_zero_weight_batches_are_skipped():
    """Check that a batch of zero weights changes nothing, as if it were absent."""
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    weight = np.r_[np.zeros(20), np.ones(20)]
    params = {
        "hidden_layer_sizes": (4,),
        "solver": "sgd",
        "batch_size": 20,
        "shuffle": False,
        "max_iter": 4,
        "random_state": 0,
    }
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        ours = MLPRegressor(**params).fit(X, y, sample_weight=weight)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        oracle = MLPRegressor(**params).fit(X[20:], y[20:])
    for mine, reference in zip(_weights(ours), _weights(oracle), strict=True):
        assert_allclose(mine, reference, rtol=1e-12)
    assert_allclose(ours.loss_curve_, oracle.loss_curve_, rtol=1e-12)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_zero_class_weight_with_single_sample_batches_trains_on_the_rest():
    """Check that class_weight zeroing a class trains on the other class alone."""
    X, y = _breast_cancer()
    X, y = X[:60], y[:60]
    clf = MLPClassifier(
        (3,), class_weight={0: 1, 1: 0}, batch_size=1, learning_rate_init=0.01
    )
    clf.set_params(max_iter=5, random_state=0).fit(X, y)
    # Only class 0 has weight: every step pushes towards predicting it.
    assert clf.n_iter_ == 5
    assert np.isfinite(clf.loss_curve_).all()
    assert (clf.predict(X) == 0).mean() > 0.9


@pytest.mark.parametrize(
    ("class_weight", "sample_weight", "message"),
    [
        # scikit-learn's own check of sample_weight.
        (None, "zeros", "Sample weights must contain at least one non-zero"),
        ({0: 0, 1: 0}, None, "sample_weight sums to 0"),
        ({0: 1, 1: 0}, "class 1 only", "sample_weight sums to 0"),
    ],
)
def test_weights_that_sum_to_zero_are_refused(class_weight, sample_weight, message):
    """Check that training data of zero total weight is refused, naming the cause."""
    X, y = _breast_cancer()
    weight = {"zeros": np.zeros(len(y)), "class 1 only": (y == 1) * 1.0}
    clf = MLPClassifier(class_weight=class_weight)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y, sample_weight=weight.get(sample_weight))


# ----------------------------------------------------------- dtypes and input
@pytest.mark.filterwarnings(CONVERGENCE)
def test_float32_input_with_targets_beyond_float32_trains_in_float64():
    """Check that float32 X with targets past float32's range trains in float64."""
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    ours = MLPRegressor(**params).fit(X.astype(np.float32), 1e39 * y)
    oracle = MLPRegressor(**params).fit(
        X.astype(np.float32).astype(np.float64), 1e39 * y
    )
    assert ours.n_iter_ == 3
    for mine, reference in zip(_weights(ours), _weights(oracle), strict=True):
        assert mine.dtype == np.float64
        assert_array_equal(mine, reference)


def test_regressor_refuses_string_targets():
    """Check that MLPRegressor refuses string targets as scikit-learn's does."""
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match=r"numeric targets.*y holds strings"):
        MLPRegressor().fit(X, np.array(["1", "2"] * 5))


# ------------------------------------------------------- parameters ignored
def test_scoring_without_early_stopping_warns():
    """Check that scoring set while early stopping is off warns, naming both."""
    X, y = _breast_cancer()
    clf = MLPClassifier((3,), scoring="roc_auc", max_iter=1)
    with pytest.warns(UserWarning, match="scoring='roc_auc'.*early_stopping"):
        clf.fit(X, y)


def test_dropout_without_hidden_layers_is_refused():
    """Check that dropout on a network without hidden layers raises, naming both."""
    X, y = _breast_cancer()
    clf = MLPClassifier(hidden_layer_sizes=(), dropout=0.2)
    with pytest.raises(ValueError, match=r"dropout=0\.2.*hidden_layer_sizes=\(\)"):
        clf.fit(X, y)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_feature_names_without_hidden_layers_raise_like_transform():
    """Check that get_feature_names_out raises as transform does: no hidden layer."""
    X, y = _breast_cancer()
    clf = MLPClassifier(hidden_layer_sizes=(), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="no hidden layer") as from_transform:
        clf.transform(X)
    with pytest.raises(ValueError, match="no hidden layer") as from_names:
        clf.get_feature_names_out()
    assert str(from_names.value) == str(from_transform.value)


# -------------------------------------------------------------- interruptions
@pytest.mark.filterwarnings(CONVERGENCE)
def test_interrupt_in_the_validation_pass_records_whole_epochs():
    """Check that Ctrl-C while scoring an epoch leaves every curve one per epoch."""
    X, y = _breast_cancer()
    calls = []

    def interrupting_scorer(estimator, X, y):
        calls.append(None)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return estimator.score(X, y)

    params = {"hidden_layer_sizes": (5,), "early_stopping": True, "random_state": 0}
    clf = MLPClassifier(scoring=interrupting_scorer, max_iter=10, **params)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.validation_scores_) == 2
    oracle = MLPClassifier(scoring="accuracy", max_iter=2, **params).fit(X, y)
    assert clf.t_ == oracle.t_
    assert clf.validation_scores_ == oracle.validation_scores_
    for mine, reference in zip(_weights(clf), _weights(oracle), strict=True):
        assert_array_equal(mine, reference)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_interrupt_before_any_epoch_propagates_and_changes_nothing(monkeypatch):
    """Check that Ctrl-C before an epoch finished re-raises and changes nothing."""
    X, y = _breast_cancer()
    clf = MLPClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    before = copy.deepcopy(vars(clf))

    def interrupt(params, grads, state, learning_rate):
        raise KeyboardInterrupt

    adam = _optimizers.OPTIMIZERS["adam"]
    monkeypatch.setitem(
        _optimizers.OPTIMIZERS, "adam", dataclasses.replace(adam, update=interrupt)
    )
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(X, y)
    assert_same_state(before, vars(clf))


@pytest.mark.filterwarnings(CONVERGENCE)
def test_partial_fit_appends_to_its_curve_in_place():
    """Check that partial_fit extends loss_curve_ instead of copying it each call."""
    X, y = _breast_cancer()
    clf = MLPClassifier((3,), random_state=0)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1])
    curve = clf.loss_curve_
    for start in range(50, 250, 50):
        clf.partial_fit(X[start : start + 50], y[start : start + 50])
    assert clf.loss_curve_ is curve
    assert len(curve) == 5


def test_lbfgs_result_that_is_not_finite_falls_back_to_the_best_point(monkeypatch):
    """Check that a non-finite L-BFGS result is replaced by the best point it saw."""
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    evaluated, starts = [], []

    def minimize_then_blow_up(fun, x0, **kwargs):
        starts.append(x0)
        for scale in (1.0, 0.5, 3.0):
            loss, _ = fun(scale * x0)
            evaluated.append((loss, scale))
        kwargs["callback"](scipy.optimize.OptimizeResult(fun=loss, x=3.0 * x0))
        return scipy.optimize.OptimizeResult(
            x=np.full_like(x0, np.nan), fun=np.nan, nit=1, status=0, message=""
        )

    monkeypatch.setattr(scipy.optimize, "minimize", minimize_then_blow_up)
    reg = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0)
    with pytest.warns(ConvergenceWarning, match="lowest loss it evaluated"):
        reg.fit(X, y)
    best_loss, best_scale = min(evaluated)
    assert reg.loss_ == best_loss
    # scipy sees the coefficients of every layer, then the intercepts.
    flat = np.concatenate([w.ravel() for w in [*reg.coefs_, *reg.intercepts_]])
    assert_array_equal(flat, best_scale * starts[0])
    assert np.isfinite(reg.predict(X)).all()


# ------------------------------------------------------------- callbacks
class _FailingTeardown:
    """A callback whose every hook works except teardown, which raises."""

    def setup(self, estimator, context):
        """Do nothing."""

    def on_fit_task_begin(self, estimator, context):
        """Do nothing."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Do nothing."""

    def teardown(self, estimator, context):
        """Raise, after the fit has finished."""
        raise OSError("the callback could not close its log")


def _refit_with_failing_teardown(est, X, y):
    """Refit ``est`` with a callback whose teardown raises; return the error."""
    est.set_callbacks(_FailingTeardown())
    with pytest.raises(OSError, match="could not close its log") as raised:
        est.fit(X, y)
    return raised.value


@pytest.mark.filterwarnings(CONVERGENCE)
def test_teardown_error_after_a_successful_refit_keeps_the_new_model():
    """Check that a raising teardown leaves the new model, as LogisticRegression."""
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    # The oracle of the promise: scikit-learn's LogisticRegression, which runs
    # teardown after the fit has set its attributes, and keeps them.
    logistic = LogisticRegression().fit(X, y)
    _refit_with_failing_teardown(logistic, X, 1 - y)
    assert_array_equal(logistic.coef_, LogisticRegression().fit(X, 1 - y).coef_)

    params = {"hidden_layer_sizes": (5,), "max_iter": 20, "random_state": 0}
    clf = MLPClassifier(**params).fit(X, y)
    error = _refit_with_failing_teardown(clf, X, 1 - y)
    assert error.__context__ is None  # the fit itself did not fail
    reference = MLPClassifier(**params).fit(X, 1 - y)
    for mine, expected in zip(_weights(clf), _weights(reference), strict=True):
        assert_array_equal(mine, expected)
    assert_array_equal(clf.predict(X), reference.predict(X))


def test_teardown_error_after_a_failed_refit_leaves_the_model_as_it_was():
    """Check that a fit that fails stays undone when teardown raises as well."""
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((30, 2)), rng.standard_normal(30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(max_iter=5, random_state=0).fit(X, y)
    before = copy.deepcopy(vars(reg))
    X_hopeless = np.finfo(np.float64).max * rng.uniform(size=X.shape)
    error = _refit_with_failing_teardown(reg, X_hopeless, y)
    assert isinstance(error.__context__, ValueError)
    assert SKLEARN_MESSAGE in str(error.__context__)
    after = {k: v for k, v in vars(reg).items() if k != "_skl_callbacks"}
    assert_same_state(before, after)
