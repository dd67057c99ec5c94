"""
=================================================
A grid search on a Dask cluster
=================================================

joblib's ``"dask"`` backend sends the fits of
:class:`~sklearn.model_selection.GridSearchCV` to the workers of a Dask
cluster; the estimator is unchanged. Here a small local cluster, with its
workers as threads of this process (``processes=False``), stands in for a
real one; pointing a :class:`~distributed.Client` at a scheduler's address is
the only change for a cluster of machines (see the Scaling page of the
documentation). This example needs the ``distributed`` extra (``pip install
".[distributed]"`` from a clone) besides ``plots``.

With the same ``random_state``, each fit draws the same starting weights and
mini-batches wherever it runs, so the results equal those of a serial search.
Early stopping ends every fit once its validation accuracy levels off, so no
fit stops at ``max_iter`` with a ``ConvergenceWarning``.
"""

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16
grid = {"alpha": [1e-4, 1e-2, 1.0]}
model = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, random_state=0)

with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster,
    Client(cluster),
    joblib.parallel_config(backend="dask"),
):
    on_dask = GridSearchCV(model, grid, cv=3, n_jobs=-1).fit(X, y)
serial = GridSearchCV(model, grid, cv=3).fit(X, y)

scores = on_dask.cv_results_["mean_test_score"]
print("best parameters:", on_dask.best_params_)
print(
    "same scores as a serial search:",
    np.array_equal(scores, serial.cv_results_["mean_test_score"]),
)

fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.semilogx(grid["alpha"], scores, marker="o")
ax.set(xlabel="alpha", ylabel="mean cross-validated accuracy", title="Searched on Dask")
plt.show()
