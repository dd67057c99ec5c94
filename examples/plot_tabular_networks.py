"""
=======================================================
Networks for tables: TabularMLPClassifier
=======================================================

:class:`~skmlp.TabularMLPClassifier` takes a data frame as it is, numbers,
categories and gaps alike, and trains a network made for tables: robustly
scaled and smoothly clipped numbers, a learned scale per input, parametric
activations, decoupled weight decay, scheduled dropout and label smoothing,
keeping the epoch that scored best on a held-out fifth of the training data.
Here it meets scikit-learn's MLP and
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` on the breast cancer
data set (no download), with two columns turned into categories and a few
values removed, as real tables have them.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmlp import MLPClassifier, TabularMLPClassifier

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
rng = np.random.default_rng(0)
X["size_band"] = pd.qcut(X["mean radius"], 4, labels=["S", "M", "L", "XL"])
X["texture_band"] = pd.qcut(X["mean texture"], 3, labels=["low", "mid", "high"])
X = X.drop(columns=["mean radius", "mean texture"])
X = X.mask(rng.random(X.shape) < 0.02)  # 2% of the values missing
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# scikit-learn's MLP needs the usual input step; the tabular network does its own.
one_hot_and_scaling = make_column_transformer(
    (
        make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        make_column_selector(dtype_include="number"),
    ),
    (
        OneHotEncoder(handle_unknown="ignore"),
        make_column_selector(dtype_exclude="number"),
    ),
)
models = {
    "MLPClassifier": make_pipeline(
        one_hot_and_scaling, MLPClassifier(early_stopping=True, random_state=0)
    ),
    "HistGradientBoosting": HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0
    ),
    "TabularMLPClassifier": TabularMLPClassifier(random_state=0),
}
accuracy, seconds = {}, {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds[name] = time.perf_counter() - start
    accuracy[name] = model.score(X_test, y_test)
    print(f"{name}: test accuracy {accuracy[name]:.3f}, fit {seconds[name]:.1f} s")

# %%
# Accuracy and time
# -----------------
# One split of one small data set decides nothing: ``benchmarks/tabular.py``
# compares the three over a panel of real tables and several splits (see the
# "Tabular data" page).

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
left.barh(list(accuracy), list(accuracy.values()))
left.set_xlim(0.9, 1.0)
left.set_xlabel("test accuracy")
right.barh(list(seconds), list(seconds.values()))
right.set_xlabel("fit time (s)")
right.set_yticks([])
fig.tight_layout()
