"""Each optional extra, installed alone, runs the documentation's snippets for it.

The test extra installs every optional package at once, so the suite's own
environment cannot tell whether ``pip install ".[plots]"`` brings all that the
plotting snippet uses. Here each extra is installed alone, from a wheel of the
working tree, into a new virtual environment, which then runs every snippet of
``docs/`` whose imports need that extra and nothing beyond it, the way
``test_snippets.py`` runs them. A snippet of another extra must fail there with
an ImportError naming that extra's package: the environment holds one extra.
"""

import ast
import doctest
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from test_packaging import NOT_SOURCE
from test_snippets import ENVIRONMENT, NEEDS, SNIPPETS, Snippet
from test_snippets import _run as run_snippet

ROOT = Path(__file__).resolve().parents[2]

# The imports that need each extra. ``from a import b`` counts as ``a.b``, so
# scikit-learn's ProgressBar, which draws with rich, needs the progress extra.
EXTRA_IMPORTS = {
    "plots": ("matplotlib", "skmlp.plot"),
    "progress": ("rich", "sklearn.callback.ProgressBar"),
    "skops": ("skops",),
    "onnx": ("skl2onnx", "onnxruntime", "onnx", "skmlp.onnx"),
    "distributed": ("dask", "distributed"),
}
# What a plain ``pip install skmlp`` brings besides the standard library.
BASE_IMPORTS = ("skmlp", "numpy", "scipy", "sklearn", "joblib", "threadpoolctl")
# Extras for working on skmlp rather than integrations that users install.
NOT_INTEGRATIONS = {"docs", "test", "bench"}

# The installs must not see the packages of the environment running the tests.
ISOLATED = {
    name: value
    for name, value in ENVIRONMENT.items()
    if name not in ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE")
}
IMPORT_ERROR = re.compile(r"^\s*(?:ImportError|ModuleNotFoundError): (.*)$", re.M)


def _source(snippet):
    """Return the code of ``snippet``, without a doctest's prompts and outputs."""
    if not snippet.doctest:
        return snippet.code
    examples = doctest.DocTestParser().get_examples(snippet.code)
    return "".join(example.source for example in examples)


def _imported_names(snippet):
    """Return the dotted names that ``snippet`` imports."""
    names = set()
    for node in ast.walk(ast.parse(_source(snippet))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_within(name, modules):
    """Return whether the dotted ``name`` is one of ``modules`` or inside one."""
    return any(name == module or name.startswith(f"{module}.") for module in modules)


def _need_of(name):
    """Return the extra that importing ``name`` needs: "" for none, None if beyond."""
    for extra, modules in EXTRA_IMPORTS.items():
        if _is_within(name, modules):
            return extra
    top = name.partition(".")[0]
    return "" if top in sys.stdlib_module_names or top in BASE_IMPORTS else None


def _extra_of(snippet):
    """Return the one extra ``snippet`` needs, or None if it needs none, or more."""
    if any(words in snippet.code for words, _, _ in NEEDS):
        return None
    needs = {_need_of(name) for name in _imported_names(snippet)} - {""}
    if None in needs or len(needs) != 1:
        return None
    (extra,) = needs
    return extra


def _packages_of(extra):
    """Return the top-level modules that ``extra`` installs, as imports name them."""
    tops = {module.partition(".")[0] for module in EXTRA_IMPORTS[extra]}
    return sorted(tops - set(BASE_IMPORTS))


EXTRAS = list(EXTRA_IMPORTS)
SNIPPETS_OF = {
    extra: [snippet for snippet in SNIPPETS if _extra_of(snippet) == extra]
    for extra in EXTRAS
}


def _checked_run(command, timeout=300):
    """Run ``command`` and fail with its output unless it succeeds."""
    run = subprocess.run(
        command, capture_output=True, text=True, env=ISOLATED, timeout=timeout
    )
    assert run.returncode == 0, f"{command}\n{run.stdout[-3000:]}{run.stderr[-3000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Return a wheel of the working tree, built from a copy of it.

    The copy keeps ``build/`` out of the tree; building without isolation uses
    the setuptools installed here instead of fetching one for every extra.
    """
    source = tmp_path_factory.mktemp("source") / "skmlp"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out_dir = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps"]
    _checked_run([*pip, "--no-build-isolation", "-w", str(out_dir), str(source)])
    (path,) = out_dir.glob("*.whl")
    return path


def _python_with(extra, wheel, directory):
    """Return the Python of a new environment holding skmlp with ``extra`` alone."""
    venv = directory / "venv"
    _checked_run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    _checked_run([python, "-m", "pip", "install", "-q", f"{wheel}[{extra}]"], 900)
    return python


def _run_in(python, snippet, directory):
    """Return the finished run of ``snippet`` by ``python``, as test_snippets does."""
    directory = directory / f"{snippet.page}-{snippet.line}"
    directory.mkdir()
    return run_snippet(snippet, directory, python=python, env=ISOLATED)


def _missing_modules(run):
    """Return the messages of the ImportErrors that ``run`` printed, in one line."""
    return " ".join(IMPORT_ERROR.findall(run.stdout + run.stderr))


@pytest.mark.slow
@pytest.mark.parametrize("extra", EXTRAS)
def test_extra_alone_runs_its_snippets(extra, wheel, tmp_path):
    """Check that an environment with one extra runs its snippets and no other's."""
    assert SNIPPETS_OF[extra], f"no snippet of docs/ needs the {extra} extra alone"
    python = _python_with(extra, wheel, tmp_path)
    for snippet in SNIPPETS_OF[extra]:
        run = _run_in(python, snippet, tmp_path)
        output = f"{run.stdout[-3000:]}{run.stderr[-3000:]}"
        assert run.returncode == 0, f"{snippet.id}\n{snippet.code}\n---\n{output}"
    for other in set(EXTRAS) - {extra}:
        snippet = SNIPPETS_OF[other][0]
        run = _run_in(python, snippet, tmp_path)
        missing = _missing_modules(run)
        assert run.returncode != 0, f"{snippet.id} ran with the {extra} extra alone"
        assert any(package in missing for package in _packages_of(other)), (
            f"{snippet.id}: {missing or run.stderr[-3000:]}"
        )


def test_every_integration_extra_is_mapped_to_its_imports():
    """Check that the table of imports covers exactly the user-facing extras."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    assert set(EXTRAS) == set(extras) - NOT_INTEGRATIONS


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("import matplotlib.pyplot as plt\nimport numpy as np", "plots"),
        ("from sklearn.callback import ProgressBar, ScoringMonitor", "progress"),
        ("from sklearn.callback import ScoringMonitor", None),
        (">>> import skmlp.onnx\n>>> import os", "onnx"),
        (">>> from skmlp.onnx import to_onnx", "onnx"),
        ("import dask.array as da\nfrom distributed import Client", "distributed"),
        ("import skops.io\nimport matplotlib", None),
        ("import matplotlib\nimport pandas", None),
        ("import torch\nimport matplotlib", None),
        ('from distributed import Client\nClient("tcp://scheduler:8786")', None),
    ],
)
def test_a_snippet_belongs_to_the_one_extra_its_imports_need(code, extra):
    """Check which extra a snippet is run with, on imports written by hand."""
    snippet = Snippet("page.rst", 1, code, code.startswith(">>>"))
    assert _extra_of(snippet) == extra
