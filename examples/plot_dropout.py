"""
=====================================================
Regularising with dropout
=====================================================

``dropout=p`` zeroes each hidden unit with probability p in every training
step and scales the survivors by ``1 / (1 - p)``, so that the whole network,
used unchanged at prediction, sees activations of the same size. A network
that cannot rely on any single unit learns smoother functions. Here a network
much larger than its 100 noisy training points memorises them without dropout
and draws a simpler boundary with it.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier

X, y = make_moons(n_samples=100, noise=0.35, random_state=0)
X_test, y_test = make_moons(n_samples=1000, noise=0.35, random_state=1)

models = {}
with warnings.catch_warnings():
    # A fixed budget of epochs, the same for both: neither run is meant to stop.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for dropout in [0.0, 0.5]:
        models[dropout] = MLPClassifier(
            hidden_layer_sizes=(128, 128),
            alpha=0.0,
            learning_rate_init=0.01,
            max_iter=300,
            dropout=dropout,
            random_state=0,
        ).fit(X, y)
for dropout, model in models.items():
    print(
        f"dropout={dropout}: training accuracy {model.score(X, y):.2f}, "
        f"test accuracy {model.score(X_test, y_test):.2f}"
    )

# %%
# The two boundaries
# ------------------

grid = np.linspace(-2.5, 3.5, 150)
xx, yy = np.meshgrid(grid, grid)
points = np.column_stack([xx.ravel(), yy.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained", sharey=True)
for ax, (dropout, model) in zip(axes, models.items(), strict=True):
    proba = model.predict_proba(points)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu_r", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=25)
    ax.set(title=f"dropout={dropout}", xlabel="$x_1$")
axes[0].set_ylabel("$x_2$")
plt.show()
