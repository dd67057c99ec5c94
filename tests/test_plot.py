"""Tests of LossCurveDisplay: the lines hold exactly the estimator's curves."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError

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
