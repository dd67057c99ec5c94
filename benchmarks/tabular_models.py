"""The models ``tabular.py`` compares, each built fresh for one task and seed.

A model is a name and a function ``build(task, seed, **overrides)`` returning
an unfitted estimator that takes the panel's pandas frames (numeric columns
and ``category`` columns, NaN in both) directly. ``overrides`` are parameters
of the network itself; the ablation uses them to switch one ingredient off.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field

from sklearn import neural_network
from sklearn.compose import (
    ColumnTransformer,
    TransformedTargetRegressor,
    make_column_selector,
)
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skmlp

TABULAR_NAMES = ("TabularMLPClassifier", "TabularMLPRegressor")
_NUMERIC = make_column_selector(dtype_include="number")
_CATEGORICAL = make_column_selector(dtype_exclude="number")


@dataclass(frozen=True)
class Model:
    """A named way to build an estimator, and parameters that vary it."""

    name: str
    build: object  # build(task, seed, **overrides) -> estimator
    overrides: dict = field(default_factory=dict)
    tabular: bool = False  # one of the tabular networks, for the fit-time ratio

    def estimator(self, task, seed):
        """Return a fresh estimator of this model for ``task``, seeded."""
        return self.build(task, seed, **self.overrides)


# The ablation: the tabular default with one ingredient removed (or, for the
# "+" rows, one ingredient the default leaves out added) per row, as
# (row name, parameter overrides of TabularMLPClassifier / TabularMLPRegressor).
# Each ingredient the tabular networks ship adds its row here, for example
# ("- smooth clipping", {"smooth_clip": None}).
# A row whose parameter one of the two networks lacks (label smoothing for the
# regressor) runs that network at its default.
ABLATION: list[tuple[str, dict]] = [
    ("- scaling layer", {"scaling_layer": False}),
    ("- smooth clipping", {"smooth_clip": None}),
    ("- dropout", {"dropout": 0.0}),
    ("- label smoothing", {"label_smoothing": 0.0}),
    ("- weight decay", {"weight_decay": 0.0}),
    ("- best epoch (no validation split)", {"validation_fraction": None}),
    # RealMLP-TD choices without an estimator parameter.
    ("- parametric activations (a fixed at 1)", {"parametric_activation": False}),
    ("- per-group learning rates", {"group_learning_rates": False}),
    ("- Adam beta_2 = 0.95 (0.999)", {"beta_2": 0.999}),
    # Ingredients the default leaves out, each added alone.
    ("+ periodic embeddings", {"n_frequencies": 16}),
    ("+ coslog4 schedule", {"learning_rate_schedule": "coslog4"}),
    (
        "+ 4 ensemble members, 128 wide",
        {"n_members": 4, "hidden_layer_sizes": (128, 128)},
    ),
]


# The tabular networks' settings that no estimator parameter sets.
SETTINGS_ONLY = {"parametric_activation", "group_learning_rates", "beta_2"}


def _one_hot_and_scaling():
    """Return the usual MLP input step: impute, scale numbers, one-hot categories."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [
            ("numeric", numeric, _NUMERIC),
            ("categorical", categorical, _CATEGORICAL),
        ]
    )


def _scaled_target(regressor):
    """Return ``regressor`` fitted on a standardised target, predicting raw units."""
    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _mlp_builder(library):
    """Return build() of a default MLP of ``library`` after one-hot and scaling."""

    def build(task, seed, **overrides):
        name = "MLPClassifier" if task == "classification" else "MLPRegressor"
        network = getattr(library, name)(random_state=seed, **overrides)
        pipeline = make_pipeline(_one_hot_and_scaling(), network)
        return pipeline if task == "classification" else _scaled_target(pipeline)

    return build


def _build_hgb(task, seed, **overrides):
    """Return HistGradientBoosting with defaults, categories from the dtypes."""
    if task == "classification":
        return HistGradientBoostingClassifier(random_state=seed, **overrides)
    return HistGradientBoostingRegressor(random_state=seed, **overrides)


def _median_imputation():
    """Return a step filling numeric NaN with medians, categories passed as they are."""
    return ColumnTransformer(
        [("numeric", SimpleImputer(strategy="median"), _NUMERIC)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def _build_realmlp(task, seed, **overrides):
    """Return pytabkit's RealMLP-TD with its defaults, on the CPU.

    RealMLP-TD refuses NaN in numeric columns, so a median imputation comes
    first; its categorical columns keep their dtype.
    """
    pytabkit = importlib.import_module("pytabkit")
    kind = "Classifier" if task == "classification" else "Regressor"
    network = getattr(pytabkit, f"RealMLP_TD_{kind}")(
        device="cpu", random_state=seed, verbosity=0, **overrides
    )
    return make_pipeline(_median_imputation(), network)


def _build_tabular(task, seed, **overrides):
    """Return skmlp's tabular network for ``task``; it does its own preprocessing."""
    name = TABULAR_NAMES[0] if task == "classification" else TABULAR_NAMES[1]
    network = getattr(skmlp, name)(random_state=seed)
    known = network.get_params()
    network.set_params(**{k: v for k, v in overrides.items() if k in known})
    # RealMLP-TD choices that have no parameter go to the network's settings;
    # a parameter of the other network only (label smoothing) is left out.
    network._ablation = {k: v for k, v in overrides.items() if k in SETTINGS_ONLY}
    return network


def has_tabular_networks():
    """Return whether this skmlp has TabularMLPClassifier and TabularMLPRegressor."""
    return all(hasattr(skmlp, name) for name in TABULAR_NAMES)


def has_pytabkit():
    """Return whether pytabkit (and so RealMLP-TD) can be imported."""
    return importlib.util.find_spec("pytabkit") is not None


MODELS = {
    "sklearn-mlp": Model("scikit-learn MLP", _mlp_builder(neural_network)),
    "skmlp-mlp": Model("skmlp MLP", _mlp_builder(skmlp)),
    "hgb": Model("HistGradientBoosting", _build_hgb),
    "realmlp-td": Model("RealMLP-TD", _build_realmlp),
    "tabular": Model("tabular default", _build_tabular, tabular=True),
}
REFERENCE = "sklearn-mlp"


def available_models():
    """Return the keys of the models this environment can run."""
    keys = ["sklearn-mlp", "skmlp-mlp", "hgb"]
    keys += ["realmlp-td"] if has_pytabkit() else []
    keys += ["tabular"] if has_tabular_networks() else []
    return keys


def ablation_models(base, variants):
    """Return one Model per (row name, overrides) variant of the ``base`` model."""
    return [Model(name, base.build, overrides) for name, overrides in variants]
