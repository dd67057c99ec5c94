"""The code style checks that CI enforces, run as tests."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
