"""Build the sdist and the wheel, and check what they contain."""

import importlib.util
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

# Each build runs setuptools in a subprocess and takes a few seconds.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Left out of the copy that is built: environments, caches and earlier builds,
# which a build from a clean clone would not see either.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "_build", ".*cache"
)


def _run(*args, cwd=None):
    """Return the finished run of ``python -m <args>``."""
    command = [sys.executable, "-m", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def _require(module):
    """Fail with the command that installs ``module`` when it is missing."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(
            f"python -m {module} is needed to test the packaging: "
            f'pip install {module} (or pip install -e ".[test]")'
        )


@pytest.fixture(scope="module")
def distributions(tmp_path_factory):
    """Return the paths of the sdist and the wheel built from a copy of the tree.

    The copy keeps the build from writing ``build/`` and ``skmlp.egg-info`` into
    the working tree; ``--no-isolation`` builds with the setuptools installed
    here instead of downloading one.
    """
    _require("build")
    source = tmp_path_factory.mktemp("source") / "skmlp"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out_dir = tmp_path_factory.mktemp("dist")
    result = _run("build", "--no-isolation", "--outdir", out_dir, source)
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out_dir.glob("*.tar.gz")
    (wheel,) = out_dir.glob("*.whl")
    return sdist, wheel


def _sdist_names(sdist):
    """Return the sdist's file names without their leading ``skmlp-<version>/``."""
    with tarfile.open(sdist) as archive:
        return {name.partition("/")[2] for name in archive.getnames()}


def _wheel_names(wheel):
    """Return the wheel's file names."""
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_sdist_contains_license_and_pyproject(distributions):
    """Check that the sdist ships the LICENSE file and pyproject.toml."""
    names = _sdist_names(distributions[0])
    assert {"LICENSE", "pyproject.toml", "skmlp/__init__.py"} <= names


def test_wheel_contains_license_and_package(distributions):
    """Check that the wheel ships the package and the LICENSE file."""
    names = _wheel_names(distributions[1])
    assert "skmlp/__init__.py" in names
    assert any(Path(name).name == "LICENSE" for name in names), sorted(names)


def test_twine_accepts_both(distributions):
    """Check that ``twine check --strict`` passes the sdist and the wheel."""
    _require("twine")
    result = _run("twine", "check", "--strict", *distributions)
    assert result.returncode == 0, result.stdout + result.stderr
