"""Sphinx configuration for the skmlp documentation."""

import importlib.util

import skmlp

project = "skmlp"
author = "The skmlp developers"
project_copyright = "The skmlp developers"
release = skmlp.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]

# :issue:`9113` links to an issue or pull request of scikit-learn.
extlinks = {
    "issue": ("https://github.com/scikit-learn/scikit-learn/issues/%s", "#%s"),
}

# The docs build offline: scikit-learn's inventory is a small file in the
# repository, written by make_sklearn_inventory.py.
intersphinx_mapping = {
    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn-objects.inv"),
}

# A reference to scikit-learn that the inventory lacks is an error under -W,
# so that no link to its docs silently turns into plain text; other missing
# Python references (numpy types in signatures, ...) stay plain text.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"(?!sklearn\.).*"), (r"(?!py:).*", r".*")]

# Single backticks in docstrings name code (``coefs_``), as in scikit-learn.
default_role = "literal"

# Each public class gets a page (generated/), from the template in
# _templates/autosummary/class.rst, which lists its methods and the examples
# that use it. numpydoc's own member tables would repeat that list.
autosummary_generate = True
numpydoc_show_class_members = False
autodoc_typehints = "none"

# The gallery: every examples/plot_*.py runs at build time and its figures
# are shown; the other scripts (demo.py) are shown without being run. The
# backreferences are the "Examples using" lists on the class pages.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skmlp",),
    "backreferences_dir": "gen_modules/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 10,
    "write_computation_times": False,
    # Each example takes a second or two; worker processes would spend more
    # than that importing scikit-learn and matplotlib again.
    "parallel": False,
}
# scikit-learn's callbacks, which the progress bar example shows, came in 1.9.
if importlib.util.find_spec("sklearn.callback") is None:
    sphinx_gallery_conf["ignore_pattern"] = r"plot_progress_bar\.py"

html_theme = "pydata_sphinx_theme"
html_title = f"skmlp {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
