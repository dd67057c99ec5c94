"""The code style checks that CI enforces, run as tests."""

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sklearn.datasets import load_digits

import skmlp
from skmlp import MLPClassifier

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["skmlp", "tests", "benchmarks", "examples", "docs"]


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check"]], ids=["lint", "format"]
)
def test_ruff_is_clean(command):
    """Check that ruff finds nothing to lint or reformat in the project."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *CHECKED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


MAX_BODY_LINES = 40


def _body_lengths(source):
    """Return {function name: lines of its body, docstring left out}."""
    lengths = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0]
            has_docstring = isinstance(first, ast.Expr) and isinstance(
                first.value, ast.Constant
            )
            start = first.end_lineno + 1 if has_docstring else first.lineno
            lengths[node.name] = node.end_lineno - start + 1
    return lengths


def test_body_lengths_counts_lines_after_the_docstring():
    """Check the line counter on a function of a docstring and three lines."""
    source = 'def f():\n    """Doc."""\n    a = 1\n    b = 2\n    return a + b\n'
    assert _body_lengths(source) == {"f": 3}


@pytest.mark.parametrize("module", sorted((ROOT / "skmlp").glob("*.py")), ids=str)
def test_function_bodies_are_at_most_40_lines(module):
    """Check that no function of the package has a body over 40 lines."""
    long = {
        name: length
        for name, length in _body_lengths(module.read_text()).items()
        if length > MAX_BODY_LINES
    }
    assert not long


MAX_CLASS_LINES, MAX_METHODS = 200, 20


def _docstring_lines(node):
    """Return the lines of the docstrings of node and of everything inside it."""
    total = 0
    for inner in ast.walk(node):
        if isinstance(inner, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = inner.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                total += first.end_lineno - first.lineno + 1
    return total


def _class_sizes(source):
    """Return {class name: (lines of code without docstrings, number of methods)}."""
    sizes = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            lines = node.end_lineno - node.lineno + 1 - _docstring_lines(node)
            methods = sum(isinstance(item, ast.FunctionDef) for item in node.body)
            sizes[node.name] = (lines, methods)
    return sizes


def test_class_sizes_leave_docstrings_out():
    """Check the class measure on a class of a docstring and two short methods."""
    source = (
        'class A:\n    """Doc\n    more."""\n\n    def f(self):\n        """F."""\n'
        "        return 1\n\n    def g(self):\n        return 2\n"
    )
    # 10 lines, 3 of them docstrings: 7 lines of code, 2 methods
    assert _class_sizes(source) == {"A": (7, 2)}


@pytest.mark.parametrize("module", sorted((ROOT / "skmlp").glob("*.py")), ids=str)
def test_classes_are_at_most_200_lines_and_20_methods(module):
    """Check that no class of the package is over 200 lines of code or 20 methods."""
    large = {
        name: size
        for name, size in _class_sizes(module.read_text()).items()
        if size[0] > MAX_CLASS_LINES or size[1] > MAX_METHODS
    }
    assert not large


def test_only_the_solvers_module_names_lbfgs():
    """Check that the string 'lbfgs' is a literal in one module: the solver registry."""
    naming = {
        path.stem
        for path in (ROOT / "skmlp").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value == "lbfgs"
    }
    assert naming == {"_solvers"}


MAX_FUNCTIONS_OF_A_SMALL_FIT = 90


def test_a_small_fit_runs_at_most_90_distinct_functions():
    """Check the count docs/contributing.rst gives, the way it measures it."""
    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    package = str(Path(skmlp.__file__).parent)
    seen = set()

    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(package):
            seen.add((frame.f_code.co_filename, frame.f_code.co_qualname))

    def fit():
        MLPClassifier(early_stopping=True, max_iter=5, random_state=0).fit(X, y)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 epochs do not converge
        fit()
        sys.setprofile(count)
        try:
            fit()
        finally:
            sys.setprofile(None)
    assert 50 < len(seen) <= MAX_FUNCTIONS_OF_A_SMALL_FIT, sorted(seen)
