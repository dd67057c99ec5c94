"""The example scripts run, draw their figures and print what they promise."""

import importlib.util
import re
import runpy
import warnings
from pathlib import Path

import pytest

# Each example trains a few small models and takes a second or so.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLOT_EXAMPLES = sorted(path.name for path in EXAMPLES.glob("plot_*.py"))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pyplot():
    """Return matplotlib.pyplot on the Agg backend, closing every figure after."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


def test_demo_prints_both_accuracies(capsys):
    """Check that the demo prints a table row with an accuracy for each library."""
    _load("demo").main()
    rows = re.findall(r"\| (.+?) \| (0\.\d{4}) \| ", capsys.readouterr().out)
    assert [name for name, _ in rows] == [
        "skmlp.MLPClassifier",
        "sklearn MLPClassifier",
    ]
    assert all(float(accuracy) > 0.9 for _, accuracy in rows)


@pytest.mark.parametrize("script", PLOT_EXAMPLES)
def test_plot_example_draws_a_figure_without_warnings(script, pyplot, capsys):
    """Check that a plot example runs without any warning and draws a figure."""
    if script == "plot_progress_bar.py":
        pytest.importorskip("sklearn.callback", reason="callbacks need sklearn 1.9")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert pyplot.get_fignums(), f"{script} drew no figure"
    assert capsys.readouterr().out, f"{script} printed nothing"


def test_compare_example_finds_the_same_accuracy(pyplot, capsys):
    """Check that skmlp and scikit-learn reach the same accuracy in the example."""
    # Same weights, same shuffling: the two fits should be the same fit.
    runpy.run_path(str(EXAMPLES / "plot_compare_with_sklearn.py"), run_name="__main__")
    accuracies = re.findall(
        r"^(.+): test accuracy (\S+)$", capsys.readouterr().out, re.M
    )
    assert [name for name, _ in accuracies] == ["skmlp", "scikit-learn"]
    assert accuracies[0][1] == accuracies[1][1]
