"""
=====================================================
Prediction intervals with the quantile loss
=====================================================

``MLPRegressor(loss="quantile", quantile=q)`` trains the network on the
pinball loss, whose minimiser is the q-th conditional quantile of the target
rather than its mean (scikit-learn's MLPRegressor only has the squared error).
Three networks, for q = 0.05, 0.5 and 0.95, draw a median and a 90% band
around it; here the noise grows with x, and so does the band.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_pinball_loss

from skmlp import MLPRegressor

rng = np.random.default_rng(0)
x = np.sort(rng.uniform(0, 5, size=400))
y = np.sin(x) * 2 + rng.normal(scale=0.1 + 0.3 * x)
X = x.reshape(-1, 1)

quantiles = [0.05, 0.5, 0.95]
models = {
    q: MLPRegressor(
        loss="quantile",
        quantile=q,
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    for q in quantiles
}
lower, median, upper = (models[q].predict(X) for q in quantiles)
print(
    f"share of points inside the 90% band: {np.mean((lower <= y) & (y <= upper)):.2f}"
)
for q, model in models.items():
    print(f"q={q}: pinball loss {mean_pinball_loss(y, model.predict(X), alpha=q):.3f}")

# %%
# The band
# --------

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.scatter(x, y, s=8, color="0.6", label="data")
ax.fill_between(x, lower, upper, alpha=0.3, label="5% to 95% quantile")
ax.plot(x, median, color="tab:blue", label="median (q=0.5)")
ax.set(xlabel="x", ylabel="y", title="Quantile networks")
ax.legend(loc="lower left")
plt.show()
