"""Tests that the package imports follow the layering in docs/contributing.rst.

A module imports only modules of a lower layer::

    _sklearn_compat  <  _arrays, _threads, _schedules  <  _activations, _losses,
    _vectors, _weights  <  _network  <  _objective  <  _optimizers, _state,
    _callbacks  <  _solvers  <  _plan, _early_stopping, _predicting,
    _persistence  <  _base  <  _classifier, _regressor  <  __init__

``_docstrings`` is a leaf that only the estimator modules use, and
``_sklearn_compat`` is the one module that imports private scikit-learn names.
"""

import ast
from pathlib import Path

import pytest

import skmlp

PACKAGE_DIR = Path(skmlp.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE_DIR.glob("*.py"))

LAYERS = {
    "_sklearn_compat": -1,
    "preprocessing": 1,  # the public tabular transformer; imports only _sklearn_compat
    "_threads": 0,
    "_schedules": 0,
    "_arrays": 0,  # numpy or another array library, below everything that computes
    "_activations": 1,
    "_losses": 1,
    "_vectors": 1,
    "_weights": 1,
    "_network": 2,
    "_layers": 2,  # the tabular networks' layers, each with forward and backward
    "_tabular_schedules": 1,
    "_objective": 3,
    "_members": 3,  # ensemble members sharing one network, as in TabM
    "_tabular_network": 4,
    "_tabular_adam": 5,  # Adam with per-group rates and decoupled weight decay
    "_tabular_training": 6,  # one training run of a tabular network
    "_tabular_base": 7,
    "_tabular": 8,
    "_optimizers": 4,
    "_state": 4,  # the training state as plain data, and going back to it
    "_callbacks": 4,  # tells scikit-learn's callbacks of each epoch
    "_solvers": 5,
    "_plan": 6,  # reads the settings once; the one place that knows the solvers
    "_fitted": 5,  # a training state as fitted attributes, and back
    "_early_stopping": 6,  # its held-out set and monitor, scored as the estimator
    "_predicting": 6,  # the forward pass on new rows, transform
    "_persistence": 6,  # pickle, skops, moving between array libraries
    "_base": 7,
    "_classifier": 8,
    "plot": 8,  # draws what the estimators recorded; imports none of them
    "onnx": 9,  # converts the estimators, so above them; __init__ never imports it
    "_regressor": 8,
    "__init__": 9,
}
LEAVES = {"_docstrings"}
ESTIMATOR_MODULES = {"_base", "_classifier", "_regressor"}
PRIVATE_SKLEARN_IMPORTERS = {"_sklearn_compat"}


def _imports(source):
    """Return (skmlp modules, private sklearn imports) that ``source`` imports.

    Relative imports (``from ._network import forward``, ``from . import
    _network``) and absolute ones (``import skmlp._network``) both count; a
    scikit-learn import is private when a module in its path or an imported
    name starts with an underscore.
    """
    internal, private = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "skmlp" and len(parts) > 1:
                    internal.add(parts[1])
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    private.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            parts = node.module.split(".") if node.module else []
            names = [alias.name for alias in node.names]
            if node.level > 0 or parts[:1] == ["skmlp"]:
                inside = parts[1:] if parts[:1] == ["skmlp"] else parts
                internal.update(inside[:1] if inside else names)
            elif parts[:1] == ["sklearn"]:
                private.update(
                    f"{node.module}.{name}"
                    for name in names
                    if name.startswith("_") or any(p.startswith("_") for p in parts)
                )
    return internal, private


def _module_imports(module):
    """Return the result of ``_imports`` for the package module ``module``."""
    return _imports((PACKAGE_DIR / f"{module}.py").read_text())


def test_import_parser_sees_every_import_form():
    """Check that the import parser finds relative, absolute and private imports."""
    source = (
        "import numpy as np\n"
        "import skmlp._network\n"
        "from . import _losses\n"
        "from ._objective import Batch\n"
        "from skmlp._solvers import run_lbfgs\n"
        "from sklearn.base import BaseEstimator, _fit_context\n"
        "from sklearn.utils._param_validation import Interval\n"
        "import sklearn.utils._testing\n"
        "from sklearn.metrics import log_loss\n"
        "def later():\n"
        "    from ._base import BaseMLP\n"
    )
    internal, private = _imports(source)
    assert internal == {"_network", "_losses", "_objective", "_solvers", "_base"}
    assert private == {
        "sklearn.base._fit_context",
        "sklearn.utils._param_validation.Interval",
        "sklearn.utils._testing",
    }


def test_every_module_has_a_place_in_the_layers():
    """Check that each module of the package is placed in the layer table."""
    assert set(MODULES) <= set(LAYERS) | LEAVES


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_modules_import_only_lower_layers(module):
    """Check that a module imports package modules of lower layers only."""
    internal, _ = _module_imports(module)
    allowed_leaves = LEAVES if module in ESTIMATOR_MODULES else set()
    upward = {
        imported
        for imported in internal - allowed_leaves
        if LAYERS.get(imported, float("inf")) >= LAYERS[module]
    }
    assert not upward, f"{module} imports {sorted(upward)} from its layer or above"


@pytest.mark.parametrize("module", sorted(LEAVES))
def test_leaf_modules_import_nothing_from_the_package(module):
    """Check that a leaf module such as _docstrings imports no package module."""
    internal, _ = _module_imports(module)
    assert not internal


@pytest.mark.parametrize(
    "module", sorted(set(MODULES) - PRIVATE_SKLEARN_IMPORTERS), ids=str
)
def test_private_sklearn_imports_only_in_compat_module(module):
    """Check that only _sklearn_compat imports private scikit-learn names."""
    _, private = _module_imports(module)
    assert not private, f"{module} imports private scikit-learn names {private}"
