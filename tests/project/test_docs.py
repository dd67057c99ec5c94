"""Build the Sphinx documentation, its gallery, and run the examples it contains."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skmlp
import skmlp.plot

# Each build runs Sphinx in a subprocess; the html build runs every gallery
# example and takes tens of seconds.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Pages that the build writes into the source tree (see docs/.gitignore).
GENERATED = ("_build", "auto_examples", "gen_modules", "generated", "*.pyc")

# The examples multiply tiny matrices, for which BLAS threads only add overhead
# and make the run time depend on the load of the machine.
SINGLE_THREADED = dict.fromkeys(
    ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1"
)

PUBLIC_CLASSES = [
    f"skmlp.{name}" for name in skmlp.__all__ if isinstance(getattr(skmlp, name), type)
] + [f"skmlp.plot.{name}" for name in skmlp.plot.__all__]


def _gallery_examples():
    """Return the names of the plot examples that the gallery runs."""
    names = sorted(path.stem for path in (ROOT / "examples").glob("plot_*.py"))
    # docs/conf.py leaves the progress bar out where scikit-learn lacks callbacks.
    if importlib.util.find_spec("sklearn.callback") is None:
        names.remove("plot_progress_bar")
    return names


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory):
    """Return a copy of docs/ beside a copy of examples/, to build from.

    The build writes the gallery and the class pages into its source tree;
    a copy keeps the checkout clean and lets builds run side by side.
    """
    root = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns(*GENERATED, "__pycache__")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=ignore)
    shutil.copytree(ROOT / "examples", root / "examples", ignore=ignore)
    return root / "docs"


def _sphinx_build(builder, source, out_dir, *options, python=sys.executable):
    """Return the finished ``sphinx-build -W`` run of ``builder`` on the docs."""
    command = [python, "-m", "sphinx", "-W", "--keep-going", "-q"]
    command += ["-b", builder, *options, str(source), str(out_dir)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **SINGLE_THREADED, "MPLBACKEND": "Agg"},
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def html_build(source_dir, tmp_path_factory):
    """Return the html build (running the gallery) and its output directory."""
    out_dir = tmp_path_factory.mktemp("html")
    return _sphinx_build("html", source_dir, out_dir), out_dir


def test_html_builds_without_warnings(html_build):
    """Check that the html docs, gallery included, build with no warning."""
    result, _ = html_build
    assert result.returncode == 0, result.stdout + result.stderr


def test_doctest_builds_and_passes(source_dir, tmp_path):
    """Check that every doctest of the docs passes, with no build warning."""
    # The gallery's pages are still written, but its examples are not run:
    # the html build runs them.
    result = _sphinx_build("doctest", source_dir, tmp_path, "-D", "plot_gallery=0")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = (tmp_path / "output.txt").read_text()
    failures = re.findall(r"^\s*(\d+) failures? in ", summary, re.MULTILINE)
    assert failures, summary
    assert set(failures) == {"0"}, summary


@pytest.mark.parametrize("example", _gallery_examples())
def test_gallery_shows_a_figure_of_each_plot_example(html_build, example):
    """Check that each plot example's gallery page shows a figure it drew."""
    _, out_dir = html_build
    page = (out_dir / "auto_examples" / f"{example}.html").read_text()
    images = re.findall(
        rf'<img [^>]*src="\.\./(_images/sphx_glr_{example}_\d+\.png)"', page
    )
    assert images, f"no figure on the gallery page of {example}"
    assert all((out_dir / image).stat().st_size > 0 for image in images)


@pytest.mark.parametrize("name", PUBLIC_CLASSES)
def test_class_page_lists_the_examples_using_it(html_build, name):
    """Check that each public class has a page ending with the examples using it."""
    _, out_dir = html_build
    page = (out_dir / "generated" / f"{name}.html").read_text()
    short_name = name.rpartition(".")[2]
    assert "Examples using <code" in page and short_name in page
    assert re.search(r'href="\.\./auto_examples/plot_\w+\.html', page)


def test_docs_extra_alone_builds_the_doctests(source_dir, tmp_path):
    """Check that a fresh environment with only the docs extra runs the doctests.

    The test extra installs more than the docs need, so the suite's own builds
    would not notice a package missing from the docs extra.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    install = [python, "-m", "pip", "install", "-q", f"{ROOT}[docs]"]
    subprocess.run(install, check=True, capture_output=True, timeout=900)
    result = _sphinx_build(
        "doctest",
        source_dir,
        tmp_path / "doctest",
        "-D",
        "plot_gallery=0",
        python=python,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
