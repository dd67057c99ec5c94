"""
=======================================================
A table with categories, gaps and outliers
=======================================================

:class:`~skmlp.TabularPreprocessor` turns a data frame into the numbers a
network takes: each numeric column is centred on its median, divided by its
interquartile range and squashed smoothly into (-3, 3), so that an outlier
cannot dominate a layer; a missing number becomes the median, with an
indicator column; each categorical column is one-hot encoded, rare levels and
levels never seen in ``fit`` going to an "other" column. Here the diabetes
data set (no download) gets what real tables have: a categorical column, a
few missing values and a few gross outliers.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPRegressor, TabularMLPRegressor, TabularPreprocessor

X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
rng = np.random.default_rng(0)
X["age_band"] = pd.cut(X["age"], [0, 35, 50, 65, 100]).astype(str)
X["sex"] = X["sex"].map({1.0: "female", 2.0: "male"}).astype("category")
X.loc[rng.choice(len(X), 20, replace=False), "bmi"] = np.nan
X.loc[rng.choice(len(X), 5, replace=False), "s5"] *= 50  # recording errors
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

preprocessor = TabularPreprocessor().fit(X_train)
print(preprocessor.get_feature_names_out())

# %%
# The transformed columns
# -----------------------
# The outliers of ``s5`` stay inside the clipping bound instead of stretching
# the scale of every other value.

encoded = preprocessor.set_output(transform="pandas").transform(X_train)
fig, ax = plt.subplots(figsize=(6, 3))
ax.scatter(X_train["s5"], encoded["s5"], s=8)
ax.set_xlabel("s5 as recorded")
ax.set_ylabel("s5 after TabularPreprocessor")
fig.tight_layout()

# %%
# In a pipeline
# -------------
# The transformer is a pipeline step like any other; the target is
# standardised for the network as in the diabetes regression example.

network = MLPRegressor(
    hidden_layer_sizes=(16,),
    alpha=1.0,
    early_stopping=True,
    n_iter_no_change=20,
    max_iter=1000,
    random_state=0,
)
model = TransformedTargetRegressor(
    make_pipeline(TabularPreprocessor(), network), transformer=StandardScaler()
).fit(X_train, y_train)
print(f"test R^2: {model.score(X_test, y_test):.3f}")

# %%
# A network that does all of this itself
# --------------------------------------
# :class:`~skmlp.TabularMLPRegressor` encodes the table with the same
# transformer, standardises the target itself and trains a network made for
# tables (see the "Tabular data" page), so it takes the frame as it is.

tabular = TabularMLPRegressor(random_state=0).fit(X_train, y_train)
print(f"test R^2 of TabularMLPRegressor: {tabular.score(X_test, y_test):.3f}")
