"""Run scikit-learn's own MLP tests against skmlp, with only the import swapped.

scikit-learn installs its test modules with the package. The tests of
``sklearn/neural_network/tests/test_mlp.py`` are copied to a temporary folder,
``from sklearn.neural_network import MLPClassifier, MLPRegressor`` is replaced
by the skmlp import, and pytest runs the copy in a separate process. Only the
tests of scikit-learn's private helpers are left out.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sklearn

SKLEARN_TESTS = Path(sklearn.__file__).parent / "neural_network" / "tests"
SKLEARN_IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"

# Tests that call scikit-learn's private methods, which skmlp does not have.
PRIVATE_HELPER_TESTS = {
    "test_gradient": "calls MLPClassifier._loss_grad_lbfgs",
}

# scikit-learn's conftest gives this fixture; 42 is its default seed.
CONFTEST = """
import pytest


@pytest.fixture
def global_random_seed():
    return 42
"""


@pytest.fixture
def swapped_test_module(tmp_path):
    """Return the path of test_mlp.py copied with skmlp's estimators imported."""
    source = (SKLEARN_TESTS / "test_mlp.py").read_text()
    assert SKLEARN_IMPORT in source
    swapped = source.replace(
        SKLEARN_IMPORT, "from skmlp import MLPClassifier, MLPRegressor"
    )
    (tmp_path / "test_mlp_skmlp.py").write_text(swapped)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path / "test_mlp_skmlp.py"


@pytest.mark.skipif(
    not (SKLEARN_TESTS / "test_mlp.py").exists(),
    reason="this scikit-learn was installed without its tests",
)
@pytest.mark.slow
def test_sklearn_mlp_tests_pass_against_skmlp(swapped_test_module):
    """Check that scikit-learn's test_mlp.py passes with skmlp's estimators."""
    module = swapped_test_module.name
    deselect = [f"--deselect={module}::{name}" for name in PRIVATE_HELPER_TESTS]
    # Small matrices: one BLAS thread is faster, as in the rest of the suite.
    one_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *deselect,
            module,
        ],
        env={**os.environ, **one_thread},
        cwd=swapped_test_module.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = completed.stdout.strip().splitlines()[-1]
    assert completed.returncode == 0, completed.stdout[-5000:]
    assert "passed" in summary
    assert "failed" not in summary and "error" not in summary, summary
