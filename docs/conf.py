"""Sphinx configuration for the skmlp documentation."""

import skmlp

project = "skmlp"
author = "The skmlp developers"
project_copyright = "The skmlp developers"
release = skmlp.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinx.ext.mathjax",
    "numpydoc",
]

exclude_patterns = ["_build"]

# :issue:`9113` links to an issue or pull request of scikit-learn.
extlinks = {
    "issue": ("https://github.com/scikit-learn/scikit-learn/issues/%s", "#%s"),
}

# Single backticks in docstrings name code (``coefs_``), as in scikit-learn.
default_role = "literal"

# The API page lists the members to document; numpydoc's own member tables
# would need autosummary stub pages.
numpydoc_show_class_members = False
autodoc_typehints = "none"

html_theme = "alabaster"
html_title = f"skmlp {release}"

# The short examples in the user guide stop before convergence on purpose.
doctest_global_setup = """
import warnings
from sklearn.exceptions import ConvergenceWarning
warnings.simplefilter("ignore", ConvergenceWarning)
"""
