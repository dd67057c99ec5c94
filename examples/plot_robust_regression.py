"""
=====================================================
Outliers: the absolute error and Huber losses
=====================================================

The squared error lets a few large outliers pull the whole fit towards
them, because a residual r costs r**2. ``MLPRegressor(loss="absolute_error")``
charges ``abs(r)`` and estimates the conditional median; ``loss="huber"`` is
quadratic for residuals below ``huber_delta`` and linear beyond, a compromise
that keeps the smooth fit near the data. scikit-learn's MLPRegressor has only
the squared error.
"""

import matplotlib.pyplot as plt
import numpy as np

from skmlp import MLPRegressor

rng = np.random.default_rng(0)
x = np.sort(rng.uniform(-3, 3, size=200))
y = np.tanh(x) + rng.normal(scale=0.1, size=x.size)
outliers = rng.choice(x.size, size=20, replace=False)
y[outliers] += 4  # a tenth of the targets are corrupted, all upwards
X = x.reshape(-1, 1)

settings = {
    "hidden_layer_sizes": (16,),
    "solver": "lbfgs",
    "max_iter": 1000,
    "random_state": 0,
}
models = {
    "squared_error": MLPRegressor(loss="squared_error", **settings),
    "huber": MLPRegressor(loss="huber", huber_delta=0.5, **settings),
    "absolute_error": MLPRegressor(loss="absolute_error", **settings),
}
for name, model in models.items():
    model.fit(X, y)
    clean = np.ones(x.size, dtype=bool)
    clean[outliers] = False
    error = np.abs(model.predict(X) - np.tanh(x))[clean].mean()
    print(f"{name}: mean distance to tanh(x) on the clean points {error:.3f}")

# %%
# The three fits
# --------------

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.scatter(x, y, s=8, color="0.6", label="data")
for name, model in models.items():
    ax.plot(x, model.predict(X), label=f'loss="{name}"')
ax.plot(x, np.tanh(x), "k:", label="tanh(x), the truth")
ax.set(xlabel="x", ylabel="y", title="Regression with 10% outliers")
ax.legend(loc="upper left")
plt.show()
