"""Array API support seen from a normal test run, without dispatch.

The tests with dispatch on live in ``test_array_api_dispatch.py``: they need
``SCIPY_ARRAY_API=1`` before scipy is first imported, so this file runs them
in a process of their own.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from skmlp import MLPClassifier, MLPRegressor

TESTS = Path(__file__).parent
ROOT = TESTS.parents[1]
PACKAGE = ROOT / "skmlp"
# Everything below the estimators computes; none of it may ask which library
# an array belongs to: that difference is _arrays' alone.
COMPUTING_MODULES = [
    "_activations",
    "_losses",
    "_vectors",
    "_weights",
    "_network",
    "_objective",
    "_optimizers",
    "_solvers",
    "_early_stopping",
]
LIBRARY_TESTS = re.compile(r"isinstance\([^)]*np\.ndarray|is np\.ndarray|is_numpy")


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("SCIPY_ARRAY_API") == "1", reason="the dispatch tests run here"
)
def test_dispatch_tests_pass_in_a_process_with_scipy_array_api():
    """Check that the dispatch tests, run with SCIPY_ARRAY_API=1, pass and ran."""
    environment = {**os.environ, "SCIPY_ARRAY_API": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, str(TESTS / "test_array_api_dispatch.py")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    # array_api_strict alone gives more than 80; torch, where installed, more.
    assert passed >= 80, summary
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    unavailable = re.compile(r"torch|cupy|cuda|mps|xpu|dpnp", re.IGNORECASE)
    assert all(unavailable.search(line) for line in skips), "\n".join(skips)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_estimators_declare_array_api_support(Estimator):
    """Check the tag that tells scikit-learn to run its array API checks."""
    assert Estimator().__sklearn_tags__().array_api_support is True


@pytest.mark.parametrize("module", COMPUTING_MODULES)
def test_computing_modules_never_ask_for_the_array_library(module):
    """Check that only _arrays tells numpy from other libraries."""
    source = (PACKAGE / f"{module}.py").read_text()
    assert not LIBRARY_TESTS.findall(source)
