"""Build the Sphinx documentation and run the examples it contains."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Each build runs Sphinx in a subprocess and takes several seconds.
pytestmark = pytest.mark.slow

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

# The examples multiply tiny matrices, for which BLAS threads only add overhead
# and make the run time depend on the load of the machine.
SINGLE_THREADED = dict.fromkeys(
    ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1"
)


def _sphinx_build(builder, out_dir):
    """Return the finished ``sphinx-build -W`` run of ``builder`` on the docs."""
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q"]
    command += ["-b", builder, str(DOCS_DIR), str(out_dir)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **SINGLE_THREADED},
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("builder", ["html", "doctest"])
def test_docs_build_without_warnings(builder, tmp_path):
    """Check that the docs build with the builder and no warning or failure."""
    result = _sphinx_build(builder, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    if builder == "doctest":
        summary = (tmp_path / "output.txt").read_text()
        failures = re.findall(r"^\s*(\d+) failures? in ", summary, re.MULTILINE)
        assert failures, summary
        assert set(failures) == {"0"}, summary
