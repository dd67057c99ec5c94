"""
=================================================
Comparing solvers and step sizes on the digits
=================================================

The training loss per epoch of SGD (with and without momentum, with a
constant or an inverse-scaling step), Adam and L-BFGS on the digits data set,
after scikit-learn's own comparison of MLP training strategies. Every run has
the same network and the same starting weights (``random_state=0``); only the
way the loss is minimised differs. For L-BFGS a point is one iteration over
the whole training set rather than one epoch of mini-batches.

Every run gets 60 epochs. Some would need more to converge: the
``ConvergenceWarning`` each of those raises is recorded, not hidden, and
printed beside its final loss below. More epochs (``max_iter``), a larger step
(``learning_rate_init``) or a looser ``tol`` are the remedies.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MinMaxScaler

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X = MinMaxScaler().fit_transform(X)

strategies = {
    "SGD, constant step": {"solver": "sgd", "momentum": 0, "learning_rate_init": 0.2},
    "SGD, momentum 0.9": {"solver": "sgd", "momentum": 0.9, "learning_rate_init": 0.2},
    "SGD, inverse scaling": {
        "solver": "sgd",
        "learning_rate": "invscaling",
        "learning_rate_init": 0.2,
    },
    "Adam": {"solver": "adam", "learning_rate_init": 0.01},
    "L-BFGS": {"solver": "lbfgs"},
}

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for label, params in strategies.items():
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=60, random_state=0, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    stopped = "reached max_iter" if caught else "converged"
    print(f"{label}: final loss {clf.loss_:.4f} after {clf.n_iter_} ({stopped})")
    ax.plot(range(1, len(clf.loss_curve_) + 1), clf.loss_curve_, label=label)
ax.set(
    xlabel="epoch (iteration for L-BFGS)",
    ylabel="training loss",
    yscale="log",
    title="Five ways to minimise one loss",
)
ax.legend()
plt.show()
