"""The example scripts run and print what they promise."""

import importlib.util
import re
from pathlib import Path

import pytest

# Each example trains full-size models and takes a second or more.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_prints_both_accuracies(capsys):
    """Check that the demo prints a table row with an accuracy for each library."""
    _load("demo").main()
    rows = re.findall(r"\| (.+?) \| (0\.\d{4}) \| ", capsys.readouterr().out)
    assert [name for name, _ in rows] == [
        "skmlp.MLPClassifier",
        "sklearn MLPClassifier",
    ]
    assert all(float(accuracy) > 0.9 for _, accuracy in rows)


def test_loss_curve_example_writes_a_png(tmp_path, capsys):
    """Check that the plotting example saves a PNG of the two loss curves."""
    output = tmp_path / "curves.png"
    _load("plot_compare_with_sklearn").main(["--output", str(output)])
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "skmlp: test accuracy" in capsys.readouterr().out
