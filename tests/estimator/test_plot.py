"""Tests of LossCurveDisplay: the lines hold exactly the estimator's curves."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor
from skmlp.plot import LossCurveDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures each test draws."""
    yield
    plt.close("all")


def _iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _xy(line):
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_curves_and_best_epoch_are_drawn():
    """Check every line's data against the fitted curves and the kept epoch."""
    X, y = _iris()
    clf = MLPClassifier((8,), early_stopping=True, max_iter=60, random_state=0)
    clf.fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)

    epochs = np.arange(1, clf.n_iter_ + 1)
    for name, curve in [
        ("training loss", clf.loss_curve_),
        ("validation loss", clf.validation_loss_curve_),
        ("validation score", clf.validation_scores_),
    ]:
        x, y_values = _xy(display.lines_[name])
        assert_array_equal(x, epochs)
        assert_array_equal(y_values, curve)
    best = _xy(display.lines_["best epoch"])[0][0]
    # Early stopping kept the first epoch that reached the best score.
    assert clf.validation_scores_[int(best) - 1] == clf.best_validation_score_
    assert best == 1 + clf.validation_scores_.index(clf.best_validation_score_)
    assert display.score_ax_ is not display.ax_
    assert display.figure_ is display.ax_.figure


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_plain_fit_draws_the_loss_curve_only(solver):
    """Check that without early stopping only the training loss is drawn."""
    X, y = _iris()
    reg = MLPRegressor(hidden_layer_sizes=(4,), solver=solver, max_iter=20)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y.astype(float))
    display = LossCurveDisplay.from_estimator(reg, name="mine", color="red")
    assert list(display.lines_) == ["training loss"]
    assert_array_equal(_xy(display.lines_["training loss"])[1], reg.loss_curve_)
    assert display.lines_["training loss"].get_color() == "red"
    assert display.score_ax_ is None
    assert display.ax_.get_title() == "mine"


def test_plot_draws_into_the_given_axes():
    """Check that plot uses the axes it is given and returns the display."""
    _, ax = plt.subplots()
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5])
    assert display.plot(ax=ax) is display
    assert display.ax_ is ax
    assert_array_equal(_xy(display.lines_["training loss"])[0], [1, 2, 3])


def test_unfitted_estimator_is_refused():
    """Check that from_estimator needs a fitted model."""
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(MLPClassifier())


def test_missing_matplotlib_names_the_extra(monkeypatch):
    """Check that drawing without matplotlib says which extra to install."""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skmlp\[plots\]"):
        LossCurveDisplay(loss_curve=[1.0]).plot()


def test_importing_skmlp_does_not_import_matplotlib():
    """Check that import skmlp (and skmlp.plot) leave matplotlib unimported."""
    code = (
        "import sys, skmlp, skmlp.plot; "
        "print(any(name.split('.')[0] == 'matplotlib' for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_runs_drawn_into_one_axes_keep_their_legend_entries():
    """Check that each run drawn into shared axes keeps its own legend entry."""
    _, ax = plt.subplots()
    curves = {"slow": [3.0, 2.5, 2.2], "fast": [3.0, 1.0, 0.5], "none": [1.0, 1.0]}
    for label, curve in curves.items():
        LossCurveDisplay(loss_curve=curve).plot(ax=ax, label=label)
    legend_texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend_texts == list(curves)
    for line, curve in zip(ax.get_lines(), curves.values(), strict=True):
        assert_array_equal(_xy(line)[1], curve)


def _fitted_wrappers():
    """Return (wrapper, the fitted network inside it) pairs of meta-estimators."""
    X, _ = _iris()
    y = X[:, 0] + X[:, 1] ** 2
    network = MLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=500, random_state=0
    )
    pipeline = make_pipeline(StandardScaler(), clone(network)).fit(X, y)
    target = TransformedTargetRegressor(clone(network), transformer=StandardScaler())
    target.fit(X, y)
    search = GridSearchCV(clone(network), {"alpha": [1e-4, 1.0]}, cv=2).fit(X, y)
    nested = GridSearchCV(make_pipeline(clone(network)), {}, cv=2).fit(X, y)
    return [
        (pipeline, pipeline[-1]),
        (target, target.regressor_),
        (search, search.best_estimator_),
        (nested, nested.best_estimator_[-1]),
    ]


@pytest.mark.parametrize("index", range(4), ids=["pipe", "target", "search", "nest"])
def test_from_estimator_draws_the_network_inside_a_meta_estimator(index):
    """Check that a wrapped network's own loss curve is the line drawn."""
    wrapper, network = _fitted_wrappers()[index]
    display = LossCurveDisplay.from_estimator(wrapper)
    x, y_values = _xy(display.lines_["training loss"])
    assert_array_equal(y_values, network.loss_curve_)
    assert_array_equal(x, np.arange(1, len(network.loss_curve_) + 1))
    assert display.ax_.get_title() == type(wrapper).__name__


def test_from_estimator_refuses_what_holds_no_network():
    """Check that a model without a loss curve gets an error saying what to pass."""
    X, y = _iris()
    with pytest.raises(TypeError, match=r"Pipeline.*TransformedTargetRegressor"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))
    network = MLPClassifier((4,), solver="lbfgs", max_iter=1000, random_state=0)
    search = GridSearchCV(network, {"alpha": [1.0]}, cv=2, refit=False).fit(X, y)
    with pytest.raises(TypeError, match="refit=True"):
        LossCurveDisplay.from_estimator(search)


@pytest.mark.parametrize(
    ("solver", "unit"), [("lbfgs", "iteration"), ("adam", "epoch")]
)
def test_x_axis_names_iterations_or_epochs(solver, unit):
    """Check that L-BFGS points are called iterations and stochastic ones epochs."""
    X, y = _iris()
    clf = MLPClassifier((4,), solver=solver, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    assert display.ax_.get_xlabel() == unit


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_legend_leaves_the_curves_and_the_axis_label_uncovered():
    """Check that with a score axis the legend overlaps no axes and no label."""
    X, y = _iris()
    clf = MLPClassifier((8,), early_stopping=True, max_iter=40, random_state=0)
    display = LossCurveDisplay.from_estimator(clf.fit(X, y))
    display.figure_.canvas.draw()
    legend = display.ax_.get_legend().get_window_extent()
    for artist in [display.ax_, display.score_ax_, display.ax_.xaxis.label]:
        assert not legend.overlaps(artist.get_window_extent())
    # The legend still holds all four lines, the score on the second axis too.
    labels = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert sorted(labels) == sorted(display.lines_)
