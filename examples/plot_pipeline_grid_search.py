"""
=====================================================
Tuning a network in a Pipeline with GridSearchCV
=====================================================

:class:`skmlp.MLPClassifier` is a scikit-learn estimator, so it goes into a
:class:`~sklearn.pipeline.Pipeline` behind a scaler and its parameters are
tuned by :class:`~sklearn.model_selection.GridSearchCV` like any other's,
addressed as ``mlpclassifier__<parameter>``. Here the search crosses the width
of the hidden layer with the L2 penalty ``alpha`` on two interleaving half
moons; each cell of the heat map is a mean cross-validated accuracy.

Some fits of a search stop at ``max_iter`` with a ``ConvergenceWarning``: the
loss was still falling. Rather than hide those warnings, the search first
runs with 200 iterations and counts them, then again with enough iterations
that every fit converges, and compares the two.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier

X, y = make_moons(n_samples=300, noise=0.3, random_state=0)

pipeline = make_pipeline(
    StandardScaler(),
    MLPClassifier(solver="lbfgs", max_iter=200, random_state=0),
)
param_grid = {
    "mlpclassifier__hidden_layer_sizes": [(2,), (8,), (32,)],
    "mlpclassifier__alpha": [1e-3, 0.1, 10.0],
}
short = GridSearchCV(pipeline, param_grid, cv=3)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    short.fit(X, y)
print(f"max_iter=200: {len(caught)} fits stopped before converging")

# The networks that stop short are the wide ones with a small alpha, which can
# fit the noise for a long time. Giving L-BFGS more iterations lets each of
# them finish; a larger alpha or a looser tol would end them sooner.
pipeline.set_params(mlpclassifier__max_iter=5000)
search = GridSearchCV(pipeline, param_grid, cv=3).fit(X, y)
change = np.abs(
    search.cv_results_["mean_test_score"] - short.cv_results_["mean_test_score"]
)
print(
    f"max_iter=5000: all converged; largest change of a mean score {change.max():.3f}"
)

print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")

# %%
# Mean accuracy of every combination
# ----------------------------------

sizes = param_grid["mlpclassifier__hidden_layer_sizes"]
alphas = param_grid["mlpclassifier__alpha"]
# cv_results_ lists the grid with the last parameter (in sorted order) varying
# fastest: hidden_layer_sizes.
scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(sizes))

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
image = ax.imshow(scores, cmap="viridis")
fig.colorbar(image, ax=ax, label="mean accuracy")
for (row, column), score in np.ndenumerate(scores):
    ax.text(column, row, f"{score:.2f}", ha="center", va="center", color="w")
ax.set_xticks(range(len(sizes)), [str(size) for size in sizes])
ax.set_yticks(range(len(alphas)), [str(alpha) for alpha in alphas])
ax.set(xlabel="hidden_layer_sizes", ylabel="alpha", title="GridSearchCV on moons")
plt.show()
