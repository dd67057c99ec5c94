"""Tests of scikit-learn's callbacks on skmlp: one task per fit, one per epoch."""

import numpy as np
import pytest
from callback_helpers import AutoRecording, Recording
from fit_helpers import STOCHASTIC
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Objective

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"


def _data():
    return make_classification(n_samples=60, n_features=5, random_state=0)


PARAMS = {"hidden_layer_sizes": (4,), "random_state": 0, "n_iter_no_change": 100}


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_each_epoch_is_a_task_holding_that_epochs_weights(solver):
    """Check n_iter_ epoch tasks, the third one's model equal to a 3-epoch fit."""
    X, y = _data()
    recording = Recording()
    clf = MLPClassifier(solver=solver, max_iter=5, **PARAMS)
    clf.set_callbacks(recording).fit(X, y)

    epochs = recording.finished_epochs()
    assert len(epochs) == clf.n_iter_ == 5
    assert [hook for hook, _, _ in recording.events][:3] == ["setup", "begin", "begin"]
    assert recording.events[-1][0] == "teardown"
    oracle = MLPClassifier(solver=solver, max_iter=3, **PARAMS).fit(X, y)
    for mine, reference in zip(epochs[2].coefs_, oracle.coefs_, strict=True):
        assert_array_equal(mine, reference)
    assert_array_equal(epochs[2].predict(X), oracle.predict(X))
    # The fitted model itself is left alone: it holds the last epoch's weights.
    for mine, reference in zip(epochs[-1].coefs_, clf.coefs_, strict=True):
        assert_array_equal(mine, reference)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_lbfgs_iterations_are_tasks():
    """Check one task per L-BFGS iteration, with models that predict."""
    X, y = _data()
    recording = Recording()
    clf = MLPClassifier(solver="lbfgs", max_iter=4, **PARAMS)
    clf.set_callbacks(recording).fit(X, y)
    iterations = recording.finished_epochs()
    assert len(iterations) == clf.n_iter_
    assert all(model.predict(X).shape == y.shape for model in iterations)


def test_partial_fit_is_one_task():
    """Check that a partial_fit call is one task without epoch subtasks."""
    X, y = _data()
    recording = Recording()
    clf = MLPClassifier(**PARAMS).set_callbacks(recording)
    clf.partial_fit(X, y, classes=[0, 1])
    names = [name for hook, name, _ in recording.events if hook in ("begin", "end")]
    assert names == ["fit", "fit"]


def test_teardown_runs_when_fit_raises(monkeypatch):
    """Check that callbacks are torn down when training raises, model unchanged."""
    X, y = _data()
    recording = Recording()
    calls = []
    original = Objective.loss_and_gradients

    def failing(self, *args):
        calls.append(None)
        if len(calls) == 3:
            raise RuntimeError("injected")
        return original(self, *args)

    monkeypatch.setattr(Objective, "loss_and_gradients", failing)
    clf = MLPRegressor(batch_size=10, max_iter=3, **PARAMS).set_callbacks(recording)
    with pytest.raises(RuntimeError, match="injected"):
        clf.fit(X, y.astype(float))
    assert recording.events[0][0] == "setup"
    assert recording.events[-1][0] == "teardown"
    assert not hasattr(clf, "coefs_")


@pytest.mark.filterwarnings(CONVERGENCE)
def test_callbacks_reach_the_network_inside_a_pipeline_and_a_search():
    """Check that auto-propagated callbacks see the MLP's epochs inside both."""
    X, y = _data()
    recording = AutoRecording()
    pipeline = make_pipeline(StandardScaler(), MLPClassifier(max_iter=3, **PARAMS))
    pipeline.set_callbacks(recording).fit(X, y)
    assert len(recording.finished_epochs()) == 3

    recording = AutoRecording()
    search = GridSearchCV(MLPClassifier(max_iter=2, **PARAMS), {"alpha": [1e-4, 1e-2]})
    search.set_callbacks(recording).fit(X, y)
    # 2 candidates x 5 folds x 2 epochs, and the refit's 2 epochs.
    assert len(recording.finished_epochs()) == 2 * 5 * 2 + 2


@pytest.mark.filterwarnings(CONVERGENCE)
def test_scoring_monitor_scores_every_epoch():
    """Check that ScoringMonitor logs one accuracy per epoch, as predict gives it."""
    X, y = _data()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MLPClassifier(max_iter=4, **PARAMS).set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs()
    scores = [row["accuracy"] for row in log.data if row["task_name"] == "epoch"]
    assert len(scores) == clf.n_iter_
    assert scores[-1] == pytest.approx(float(np.mean(clf.predict(X) == y)))


@pytest.mark.filterwarnings(CONVERGENCE)
def test_progress_bar_runs():
    """Check that a fit with scikit-learn's ProgressBar runs under pytest."""
    pytest.importorskip("rich")
    X, y = _data()
    clf = MLPClassifier(max_iter=3, **PARAMS).set_callbacks(callback.ProgressBar())
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 3


def test_importing_skmlp_loads_no_optional_extra():
    """Check that import skmlp imports no extra that scikit-learn did not.

    scikit-learn's own callback module (which its Pipeline imports) loads rich
    when it is installed, so the baseline imports it too.
    """
    import subprocess
    import sys

    extras = ["matplotlib", "rich", "skops", "skl2onnx", "onnxruntime", "dask"]
    code = (
        "import sys; import sklearn.pipeline, sklearn.callback; "
        "before = set(sys.modules); "
        "import skmlp, skmlp.plot; "
        f"print(sorted(m for m in set(sys.modules) - before "
        f"if m.split('.')[0] in {extras!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


class TrainsTheSnapshot(Recording):
    """A callback that trains each epoch's model a little further."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Train the epoch's model on; it must be a copy of its own."""
        super().on_fit_task_end(estimator, context, fitted_estimator=fitted_estimator)
        if context.task_name == "epoch" and fitted_estimator is not None:
            X, y = _data()
            fitted_estimator.partial_fit(X, y)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_an_epochs_model_shares_nothing_with_the_model_being_trained():
    """Check that training an epoch's model on leaves the real model's curves alone."""
    X, y = _data()
    params = {**PARAMS, "warm_start": True}
    clf = MLPClassifier(max_iter=4, **params).fit(X, y)
    oracle = MLPClassifier(max_iter=4, **params).fit(X, y).fit(X, y)
    clf.set_callbacks(TrainsTheSnapshot())
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 8
    assert clf.loss_curve_ == oracle.loss_curve_
    for mine, expected in zip(clf.coefs_, oracle.coefs_, strict=True):
        assert_array_equal(mine, expected)


class InterruptsAtTheEnd(Recording):
    """A callback whose end of the whole fit is cut short by Ctrl-C."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Raise KeyboardInterrupt when the root task (the fit) ends."""
        super().on_fit_task_end(estimator, context, fitted_estimator=fitted_estimator)
        if context.task_name != "epoch":
            raise KeyboardInterrupt


@pytest.mark.filterwarnings(CONVERGENCE)
def test_interrupt_in_the_final_hook_keeps_the_trained_model():
    """Check that Ctrl-C after the last epoch keeps that epoch's model, warning."""
    X, y = _data()
    oracle = MLPClassifier(max_iter=3, **PARAMS).fit(X, y)
    clf = MLPClassifier(max_iter=3, **PARAMS).set_callbacks(InterruptsAtTheEnd())
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 3
    for mine, expected in zip(clf.coefs_, oracle.coefs_, strict=True):
        assert_array_equal(mine, expected)
