"""The tabular networks with scikit-learn's tools, as the MLP estimators work with them.

Pipelines and searches (after a ColumnTransformer, or on a raw data frame),
pickle and skops, scikit-learn's callbacks, LossCurveDisplay, array API
dispatch, and the errors of bad calls. ``check_estimator`` runs in
``test_tabular_estimators.py``. Every network here is small and trains a few
epochs.
"""

import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from callback_helpers import AutoRecording, Recording
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from skmlp import TabularMLPClassifier, TabularMLPRegressor
from skmlp.plot import LossCurveDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")

ESTIMATORS = [TabularMLPClassifier, TabularMLPRegressor]
SMALL = {"hidden_layer_sizes": (8,), "max_iter": 4, "n_frequencies": 2}
NUMERIC, CATEGORICAL = ["income", "age"], ["city", "colour"]


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures each test draws."""
    yield
    plt.close("all")


def _frame(n_samples=90, seed=0):
    """Return a table of float (with NaN), int, category and object columns."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 1, n_samples)
    income[rng.random(n_samples) < 0.1] = np.nan
    city = rng.choice(["Lyon", "Porto", "Turin"], n_samples).astype(object)
    city[rng.random(n_samples) < 0.1] = np.nan  # a missing level of its own
    return pd.DataFrame(
        {
            "income": income,
            "age": rng.integers(18, 80, n_samples),
            "city": pd.Series(city, dtype=object),
            "colour": pd.Categorical(rng.choice(["red", "blue"], n_samples)),
        }
    )


def _target(Estimator, X):
    """Return string labels for the classifier, real values for the regressor."""
    signal = X["age"] / 30 + (X["colour"] == "red") - (X["city"] == "Porto")
    if Estimator is TabularMLPClassifier:
        return np.where(signal > np.median(signal), "yes", "no")
    return 1000 * signal.to_numpy(dtype=float)


def _model(Estimator, **params):
    return Estimator(**{**SMALL, "random_state": 0, **params})


def _fitted(Estimator, **params):
    X = _frame()
    y = _target(Estimator, X)
    return _model(Estimator, **params).fit(X, y), X, y


def _outputs(model, X):
    """Return what the model predicts: probabilities for a classifier."""
    return model.predict_proba(X) if is_classifier(model) else model.predict(X)


def _column_transformer():
    return ColumnTransformer(
        [
            ("scaled", StandardScaler(), NUMERIC),
            ("one_hot", OneHotEncoder(sparse_output=False), CATEGORICAL),
        ]
    )


# Pipelines, searches, cross-validation, clone


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pipeline_after_a_column_transformer_equals_fitting_its_output(Estimator):
    """Check that the pipeline predicts as the estimator fitted on the encoding."""
    X = _frame()
    y = _target(Estimator, X)
    pipeline = Pipeline([("encode", _column_transformer()), ("net", _model(Estimator))])
    pipeline.fit(X, y)
    encoded = _column_transformer().fit_transform(X)
    alone = _model(Estimator).fit(encoded, y)
    assert_array_equal(_outputs(pipeline, X), _outputs(alone, encoded))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_search_over_a_pipeline_scores_each_candidate_by_cross_validation(Estimator):
    """Check cv_results_ and best_params_ of a search against cross_val_score."""
    X = _frame()
    y = _target(Estimator, X)
    pipeline = Pipeline([("encode", _column_transformer()), ("net", _model(Estimator))])
    grid = {"net__learning_rate_init": [0.001, 0.04]}
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipeline, grid, cv=cv).fit(X, y)
    means = [
        cross_val_score(clone(pipeline).set_params(**params), X, y, cv=cv).mean()
        for params in search.cv_results_["params"]
    ]
    assert_allclose(search.cv_results_["mean_test_score"], means)
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(means))]
    refitted = clone(pipeline).set_params(**search.best_params_).fit(X, y)
    assert_array_equal(search.predict(X), refitted.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_search_on_a_raw_frame_scores_as_cross_validate_does(Estimator):
    """Check a search on a frame with category, object and NaN columns."""
    X = _frame()
    y = _target(Estimator, X)
    cv = KFold(3, shuffle=True, random_state=1)
    search = GridSearchCV(_model(Estimator), {"max_categories": [2, None]}, cv=cv)
    search.fit(X, y)
    for index, params in enumerate(search.cv_results_["params"]):
        scores = cross_validate(_model(Estimator, **params), X, y, cv=cv)
        assert_allclose(
            search.cv_results_["mean_test_score"][index], scores["test_score"].mean()
        )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cross_validate_scores_are_the_metric_of_each_fold(Estimator):
    """Check cross_validate's fold scores against the metric on held-out rows."""
    X = _frame()
    y = _target(Estimator, X)
    folds = list(KFold(3, shuffle=True, random_state=2).split(X))
    result = cross_validate(_model(Estimator), X, y, cv=folds, return_estimator=True)
    metric = accuracy_score if Estimator is TabularMLPClassifier else r2_score
    for (_, test), model, score in zip(
        folds, result["estimator"], result["test_score"], strict=True
    ):
        assert score == pytest.approx(metric(y[test], model.predict(X.iloc[test])))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_of_a_fitted_model_is_unfitted_and_refits_the_same(Estimator):
    """Check that clone keeps the parameters, drops the fit, and refits equal."""
    model, X, y = _fitted(Estimator)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    assert_array_equal(_outputs(copy.fit(X, y), X), _outputs(model, X))


# pickle and skops


def _skops_round_trip(model):
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), untrusted


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("round_trip", ["pickle", "skops"])
def test_saved_model_predicts_identically_and_keeps_its_attributes(
    Estimator, round_trip
):
    """Check identical outputs and fitted attributes after a round trip."""
    model, X, y = _fitted(Estimator)
    if round_trip == "pickle":
        loaded = pickle.loads(pickle.dumps(model))
    else:
        loaded, _ = _skops_round_trip(model)
    assert_array_equal(_outputs(loaded, X), _outputs(model, X))
    assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.loss_curve_ == model.loss_curve_
    assert loaded.best_iteration_ == model.best_iteration_
    assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    # Refitting the loaded model trains as the original's parameters do.
    assert_array_equal(_outputs(loaded.fit(X, y), X), _outputs(model.fit(X, y), X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_skops_trusts_only_the_estimator_class(Estimator):
    """Check that skops lists the estimator's class alone as untrusted."""
    model, _, _ = _fitted(Estimator)
    _, untrusted = _skops_round_trip(model)
    assert untrusted == [f"{Estimator.__module__}.{Estimator.__name__}"]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_skops_saves_a_pipeline_ending_in_the_network(Estimator):
    """Check a ColumnTransformer pipeline: only the network's class is untrusted."""
    X = _frame()
    y = _target(Estimator, X)
    pipeline = make_pipeline(_column_transformer(), _model(Estimator)).fit(X, y)
    loaded, untrusted = _skops_round_trip(pipeline)
    assert untrusted == [f"{Estimator.__module__}.{Estimator.__name__}"]
    assert_array_equal(_outputs(loaded, X), _outputs(pipeline, X))


def test_a_saved_file_naming_an_unknown_layer_is_refused():
    """Check that loading a layer kind the package does not have raises."""
    model, _, _ = _fitted(TabularMLPRegressor)
    state = model.__getstate__()
    state["_saved_tabular_parts"]["layers"][0]["kind"] = "os.system"
    with pytest.raises(KeyError, match=r"os\.system"):
        TabularMLPRegressor.__new__(TabularMLPRegressor).__setstate__(state)


# scikit-learn's callbacks


class InterruptsAfter(Recording):
    """A callback that presses Ctrl-C when epoch number ``epoch`` has ended."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Raise KeyboardInterrupt at the end of the chosen epoch."""
        super().on_fit_task_end(estimator, context, fitted_estimator=fitted_estimator)
        if context.task_name == "epoch" and context.task_id + 1 == self.epoch:
            raise KeyboardInterrupt


class InterruptsTheFirstEpoch(Recording):
    """A callback that presses Ctrl-C as the first epoch begins."""

    def on_fit_task_begin(self, estimator, context):
        """Raise KeyboardInterrupt when an epoch starts."""
        super().on_fit_task_begin(estimator, context)
        if context.task_name == "epoch":
            raise KeyboardInterrupt


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_each_epoch_is_a_task_whose_model_holds_that_epochs_weights(Estimator):
    """Check one task per epoch, each model's curve a prefix of the fit's."""
    X = _frame()
    y = _target(Estimator, X)
    recording = Recording()
    model = _model(Estimator).set_callbacks(recording).fit(X, y)
    epochs = recording.models("epoch")
    assert len(epochs) == model.n_iter_ == SMALL["max_iter"]
    assert recording.events[0][0] == "setup"
    assert recording.events[-1][0] == "teardown"
    for number, epoch_model in enumerate(epochs, start=1):
        assert epoch_model.n_iter_ == number
        assert epoch_model.loss_curve_ == model.loss_curve_[:number]
    # Each epoch moved the weights, and the fit kept the best epoch's.
    first, last = _outputs(epochs[0], X), _outputs(epochs[-1], X)
    assert not np.array_equal(first, last)
    best = epochs[model.best_iteration_ - 1]
    assert_array_equal(_outputs(model, X), _outputs(best, X))
    (whole,) = recording.models("fit")
    assert_array_equal(_outputs(whole, X), _outputs(model, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_without_a_validation_split_the_last_epoch_is_the_model(Estimator):
    """Check that the last epoch's model predicts as the fitted model."""
    X = _frame()
    y = _target(Estimator, X)
    recording = Recording()
    model = _model(Estimator, validation_fraction=None).set_callbacks(recording)
    model.fit(X, y)
    assert model.best_iteration_ is None
    assert_array_equal(_outputs(recording.models("epoch")[-1], X), _outputs(model, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_scoring_monitor_scores_every_epoch_as_the_metric_does(Estimator):
    """Check that ScoringMonitor logs one score per epoch, the last as sklearn's."""
    X = _frame()
    y = _target(Estimator, X)
    scoring, metric = (
        ("accuracy", accuracy_score)
        if Estimator is TabularMLPClassifier
        else ("r2", r2_score)
    )
    monitor = callback.ScoringMonitor(scoring=scoring)
    model = _model(Estimator, validation_fraction=None).set_callbacks(monitor)
    model.fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == model.n_iter_
    assert rows[-1][scoring] == pytest.approx(metric(y, model.predict(X)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_ctrl_c_in_a_callback_keeps_the_epochs_finished_so_far(Estimator):
    """Check that Ctrl-C after epoch 2 keeps epoch 2's model, with a warning."""
    X = _frame()
    y = _target(Estimator, X)
    uninterrupted = Recording()
    params = {"validation_fraction": None, "max_iter": 5}
    _model(Estimator, **params).set_callbacks(uninterrupted).fit(X, y)
    model = _model(Estimator, **params).set_callbacks(InterruptsAfter(epoch=2))
    with pytest.warns(UserWarning, match="interrupted"):
        model.fit(X, y)
    assert model.n_iter_ == 2
    epoch_2 = uninterrupted.models("epoch")[1]
    assert_array_equal(_outputs(model, X), _outputs(epoch_2, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_ctrl_c_before_any_epoch_leaves_the_model_as_it_was(Estimator):
    """Check that an interrupt in the first epoch propagates and undoes the call."""
    model, X, y = _fitted(Estimator)
    before = _outputs(model, X)
    interrupting = InterruptsTheFirstEpoch()
    with pytest.raises(KeyboardInterrupt):
        model.set_callbacks(interrupting).fit(X, y[::-1])
    assert interrupting.events[-1][0] == "teardown"
    assert_array_equal(_outputs(model, X), before)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_callbacks_are_torn_down_when_training_diverges(Estimator):
    """Check teardown after a fit that finds no finite epoch; the model stays."""
    model, X, y = _fitted(Estimator)
    before = _outputs(model, X)
    recording = Recording()
    model.set_callbacks(recording).set_params(learning_rate_init=1e300)
    with pytest.raises(ValueError, match="learning_rate_init"):
        model.fit(X, y)
    hooks = [hook for hook, _, _ in recording.events]
    assert (hooks[0], hooks[-1]) == ("setup", "teardown")
    assert_array_equal(_outputs(model, X), before)


@pytest.mark.filterwarnings("ignore:The estimator ColumnTransformer does not support")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_callbacks_reach_the_network_inside_a_pipeline_and_a_search(Estimator):
    """Check that auto-propagated callbacks see the network's epochs in both."""
    X = _frame()
    y = _target(Estimator, X)
    recording = AutoRecording()
    pipeline = make_pipeline(_column_transformer(), _model(Estimator, max_iter=3))
    pipeline.set_callbacks(recording).fit(X, y)
    assert len(recording.models("epoch")) == 3

    recording = AutoRecording()
    grid = {"dropout": [0.0, 0.1]}
    search = GridSearchCV(_model(Estimator, max_iter=2), grid, cv=2)
    search.set_callbacks(recording).fit(X, y)
    # 2 candidates x 2 folds x 2 epochs, and the refit's 2 epochs.
    assert len(recording.models("epoch")) == 2 * 2 * 2 + 2


# LossCurveDisplay


def _xy(line):
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata())


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("wrapped", [False, True], ids=["alone", "pipeline"])
def test_loss_curve_display_draws_the_loss_and_validation_curves(Estimator, wrapped):
    """Check that the drawn lines are loss_curve_, validation_scores_, best epoch."""
    X = _frame()
    y = _target(Estimator, X)
    model = _model(Estimator, max_iter=6)
    fitted = make_pipeline(_column_transformer(), model) if wrapped else model
    fitted.fit(X, y)
    display = LossCurveDisplay.from_estimator(fitted)
    epochs = np.arange(1, 7)
    x, loss = _xy(display.lines_["training loss"])
    assert_array_equal(x, epochs)
    assert_array_equal(loss, model.loss_curve_)
    assert_array_equal(
        _xy(display.lines_["validation score"])[1], model.validation_scores_
    )
    x_best, _ = _xy(display.lines_["best epoch"])
    assert set(x_best) == {model.best_iteration_}


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_loss_curve_display_without_validation_draws_the_loss_alone(Estimator):
    """Check that without a validation split only the training loss is drawn."""
    model, _, _ = _fitted(Estimator, validation_fraction=None)
    display = LossCurveDisplay.from_estimator(model)
    assert set(display.lines_) == {"training loss"}
    assert_array_equal(_xy(display.lines_["training loss"])[1], model.loss_curve_)


def test_loss_curve_display_counts_the_tabular_networks_in_epochs():
    """Check that the x axis of a tabular network's curve says 'epoch'."""
    model, _, _ = _fitted(TabularMLPRegressor)
    assert LossCurveDisplay.from_estimator(model).ax_.get_xlabel() == "epoch"


# The array API path


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_tags_say_the_estimators_compute_with_numpy_only(Estimator):
    """Check the array_api_support tag: the networks compute with numpy."""
    assert Estimator().__sklearn_tags__().array_api_support is False


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_other_array_libraries_without_dispatch_go_through_numpy(Estimator):
    """Check that array_api_strict arrays, without dispatch, fit as numpy ones."""
    xps = pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] > 0 if Estimator is TabularMLPClassifier else X[:, 0]
    strict = _model(Estimator).fit(xps.asarray(X), xps.asarray(y))
    plain = _model(Estimator).fit(X, y)
    assert_array_equal(_outputs(strict, xps.asarray(X)), _outputs(plain, X))


_DISPATCH_SCRIPT = """
import json, numpy as np, sklearn
import array_api_strict as xps
from skmlp import TabularMLPClassifier, TabularMLPRegressor

sklearn.set_config(array_api_dispatch=True)
rng = np.random.default_rng(4)
X = rng.normal(size=(60, 3))
report = {}
for Estimator in (TabularMLPClassifier, TabularMLPRegressor):
    y = (X[:, 0] > 0).astype(int) if Estimator is TabularMLPClassifier else X[:, 0]
    params = dict(hidden_layer_sizes=(8,), max_iter=3, n_frequencies=2, random_state=0)
    model = Estimator(**params).fit(X, y)
    entry = {"numpy": model.predict(X).tolist(), "errors": []}
    for call in (
        lambda: Estimator(**params).fit(xps.asarray(X), xps.asarray(y)),
        lambda: Estimator(**params).fit(X, xps.asarray(y)),
        lambda: model.predict(xps.asarray(X)),
    ):
        try:
            call()
            entry["errors"].append(None)
        except Exception as error:
            entry["errors"].append([type(error).__name__, str(error)])
    entry["after"] = model.predict(X).tolist()
    report[Estimator.__name__] = entry
print(json.dumps(report))
"""


def test_array_api_dispatch_takes_numpy_and_refuses_other_libraries_clearly():
    """Check, with dispatch on, numpy fits as without it; strict arrays raise.

    Dispatch needs SCIPY_ARRAY_API=1 before scipy is imported, so this runs in
    a process of its own.
    """
    pytest.importorskip("array_api_strict")
    done = subprocess.run(
        [sys.executable, "-c", _DISPATCH_SCRIPT],
        env={**os.environ, "SCIPY_ARRAY_API": "1"},
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    for Estimator in ESTIMATORS:
        entry = report[Estimator.__name__]
        y = (X[:, 0] > 0).astype(int) if Estimator is TabularMLPClassifier else X[:, 0]
        params = {"max_iter": 3, "random_state": 0}
        without_dispatch = Estimator(**{**SMALL, **params}).fit(X, y).predict(X)
        assert_allclose(entry["numpy"], without_dispatch, rtol=1e-12)
        for error in entry["errors"]:
            assert error is not None
            kind, message = error
            assert kind == "TypeError"
            assert "array_api_strict" in message
            assert "numpy" in message
        assert entry["after"] == entry["numpy"]  # the failed calls changed nothing


# Clear errors, and never a model that predicts NaN


BAD_PARAMETERS = [
    ("hidden_layer_sizes", (8, 0)),
    ("activation", "relu"),
    ("n_frequencies", -1),
    ("n_members", 0),
    ("dropout", 1.0),
    ("learning_rate_init", 0.0),
    ("learning_rate_schedule", "cosine"),
    ("weight_decay", -0.1),
    ("max_iter", 0),
    ("batch_size", 0),
    ("validation_fraction", 1.0),
    ("max_categories", 1),
    ("smooth_clip", 0.0),
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
def test_a_bad_parameter_value_is_named_in_the_error(Estimator, name, value):
    """Check that fitting with an invalid value raises, naming the parameter."""
    X = _frame(30)
    with pytest.raises(ValueError, match=name):
        _model(Estimator, **{name: value}).fit(X, _target(Estimator, X))


@pytest.mark.parametrize(
    ("name", "value"), [("label_smoothing", 1.0), ("class_weight", "uniform")]
)
def test_a_bad_classifier_parameter_is_named_in_the_error(name, value):
    """Check the classifier's own parameters are validated and named."""
    X = _frame(30)
    model = _model(TabularMLPClassifier, **{name: value})
    with pytest.raises(ValueError, match=name):
        model.fit(X, _target(TabularMLPClassifier, X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predicting_before_fit_raises_not_fitted(Estimator):
    """Check that predict (and predict_proba) before fit raise NotFittedError."""
    X = _frame(10)
    methods = ["predict"] + (["predict_proba"] * is_classifier(Estimator()))
    for method in methods:
        with pytest.raises(NotFittedError):
            getattr(_model(Estimator), method)(X)


def _non_finite_target(y):
    """Return y with a missing label, or an infinite value."""
    y = np.asarray(y, dtype=object if y.dtype.kind in "OU" else float).copy()
    y[3] = np.inf if y.dtype.kind == "f" else np.nan
    return y


FAILING_FITS = {
    "non-finite target": lambda X, y: (X, _non_finite_target(y), {}),
    "target too short": lambda X, y: (X, y[:-1], {}),
    "negative weight sum": lambda X, y: (X, y, {"sample_weight": -np.ones(len(y))}),
    "NaN weight": lambda X, y: (X, y, {"sample_weight": np.full(len(y), np.nan)}),
}


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("case", list(FAILING_FITS))
def test_a_failing_fit_leaves_the_fitted_model_unchanged(Estimator, case):
    """Check that a refused refit keeps every fitted attribute and prediction."""
    model, X, y = _fitted(Estimator)
    before, attributes = _outputs(model, X), dict(vars(model))
    X_bad, y_bad, extra = FAILING_FITS[case](X, y)
    with pytest.raises(ValueError):
        model.fit(X_bad, y_bad, **extra)
    assert_array_equal(_outputs(model, X), before)
    assert vars(model).keys() == attributes.keys()
    assert all(vars(model)[key] is value for key, value in attributes.items())


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predicting_on_the_wrong_columns_raises_and_changes_nothing(Estimator):
    """Check errors naming the column and the estimator; the model unchanged."""
    model, X, _ = _fitted(Estimator)
    before = _outputs(model, X)
    with pytest.raises(ValueError, match="missing:\n- age"):
        model.predict(X.drop(columns="age"))
    expecting = f"3 features, but {Estimator.__name__} is expecting 4"
    with pytest.raises(ValueError, match=expecting):
        model.predict(X.to_numpy()[:, :3])
    assert_array_equal(_outputs(model, X), before)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_diverging_fit_warns_and_keeps_an_epoch_with_finite_outputs(Estimator):
    """Check that a huge step size warns and the model predicts finite values."""
    X = _frame()
    y = _target(Estimator, X)
    # coslog4 starts small, so the first epochs stay finite; then the weight
    # decay factor 1 - eta * weight_decay blows the weights up.
    model = _model(
        Estimator,
        learning_rate_init=1e30,
        learning_rate_schedule="coslog4",
        weight_decay=0.02,
        max_iter=6,
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y)
    assert np.isfinite(_outputs(model, X)).all()
    assert np.isfinite(model.params_).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_fit_with_no_finite_epoch_raises_naming_the_step_size(Estimator):
    """Check that when every epoch diverges, fit raises and keeps the old model."""
    model, X, y = _fitted(Estimator)
    before = _outputs(model, X)
    model.set_params(learning_rate_init=1e300)
    with pytest.raises(ValueError, match="learning_rate_init"):
        model.fit(X, y)
    assert_array_equal(_outputs(model, X), before)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("learning_rate_init", [1.0, 1e3, 1e8, 1e30, 1e300])
def test_a_fit_that_returns_predicts_finite_values_or_warned(
    Estimator, learning_rate_init
):
    """Check that no step size gives a silent model with non-finite outputs."""
    X = _frame()
    y = _target(Estimator, X)
    model = _model(Estimator, learning_rate_init=learning_rate_init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(X, y)
        except ValueError as error:
            assert "learning_rate_init" in str(error)
            return
    assert np.isfinite(_outputs(model, X)).all()
    assert np.isfinite(model.params_).all()
