"""Write ``_inventories/sklearn-objects.inv``, scikit-learn's part used by the docs.

The docs build offline, so intersphinx cannot download scikit-learn's
``objects.inv``. This script writes a small one instead, listing the
scikit-learn classes and functions that the docs and the gallery examples
name, each pointing at its page under
https://scikit-learn.org/stable/modules/generated/. Add a name to ``NAMES``
and rerun it (``python docs/make_sklearn_inventory.py``) when the docs start
to use another one; the build, which treats an unresolved ``sklearn.`` reference
as an error, says which.
"""

import importlib
import inspect
from pathlib import Path
from types import SimpleNamespace

import sklearn
from sphinx.util.inventory import InventoryFile

OUTPUT = Path(__file__).resolve().parent / "_inventories" / "sklearn-objects.inv"

NAMES = [
    "sklearn.base.BaseEstimator",
    "sklearn.base.TransformerMixin",
    "sklearn.base.clone",
    "sklearn.callback.ProgressBar",
    "sklearn.callback.ScoringMonitor",
    "sklearn.cluster.KMeans",
    "sklearn.compose.ColumnTransformer",
    "sklearn.compose.TransformedTargetRegressor",
    "sklearn.config_context",
    "sklearn.datasets.load_diabetes",
    "sklearn.datasets.load_digits",
    "sklearn.datasets.load_iris",
    "sklearn.datasets.make_blobs",
    "sklearn.datasets.make_classification",
    "sklearn.datasets.make_moons",
    "sklearn.ensemble.HistGradientBoostingClassifier",
    "sklearn.ensemble.HistGradientBoostingRegressor",
    "sklearn.exceptions.ConvergenceWarning",
    "sklearn.inspection.DecisionBoundaryDisplay",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.linear_model.RidgeClassifier",
    "sklearn.metrics.ConfusionMatrixDisplay",
    "sklearn.metrics.accuracy_score",
    "sklearn.metrics.balanced_accuracy_score",
    "sklearn.metrics.get_scorer_names",
    "sklearn.metrics.mean_pinball_loss",
    "sklearn.metrics.r2_score",
    "sklearn.metrics.recall_score",
    "sklearn.model_selection.GridSearchCV",
    "sklearn.model_selection.LearningCurveDisplay",
    "sklearn.model_selection.train_test_split",
    "sklearn.multioutput.MultiOutputRegressor",
    "sklearn.neural_network.MLPClassifier",
    "sklearn.neural_network.MLPRegressor",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.make_pipeline",
    "sklearn.preprocessing.MinMaxScaler",
    "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.RobustScaler",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.set_config",
    "sklearn.svm.SVC",
    "sklearn.utils.class_weight.compute_class_weight",
    "sklearn.utils.estimator_checks.check_estimator",
]


def role_of(name):
    """Return 'class' or 'function', what ``name`` is in scikit-learn."""
    module_name, _, attribute = name.rpartition(".")
    obj = getattr(importlib.import_module(module_name), attribute)
    return "class" if inspect.isclass(obj) else "function"


class _Domain:
    """The Python domain, as ``InventoryFile.dump`` reads one."""

    name = "py"

    def get_objects(self):
        # (name, display name, type, page, anchor, priority), as Sphinx lists
        # them; scikit-learn gives every public object a page of its own.
        for name in NAMES:
            yield name, name, role_of(name), f"modules/generated/{name}", name, 1


def main():
    """Write the inventory file."""
    config = SimpleNamespace(project="scikit-learn", version=sklearn.__version__)
    env = SimpleNamespace(
        config=config, domains=SimpleNamespace(sorted=lambda: [_Domain()])
    )
    builder = SimpleNamespace(get_target_uri=lambda page: f"{page}.html")
    OUTPUT.parent.mkdir(exist_ok=True)
    InventoryFile.dump(OUTPUT, env, builder)
    print(f"{len(NAMES)} scikit-learn objects written to {OUTPUT}")


if __name__ == "__main__":
    main()
