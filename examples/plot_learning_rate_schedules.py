"""
=====================================================
Cosine learning rate and gradient clipping
=====================================================

Two training controls that scikit-learn's MLP lacks:

* ``learning_rate='cosine'`` lowers the step size from ``learning_rate_init``
  to 0 along half a cosine over ``max_iter`` epochs, for 'sgd' and 'adam'
  alike; large steps early, fine ones at the end.
* ``max_grad_norm`` caps the Euclidean norm of every mini-batch gradient, so
  that a steep region of the loss cannot throw the weights far. Here plain
  SGD with a large step size diverges on unscaled inputs, and the same run
  with clipping trains.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)  # pixel values 0..16, not scaled
settings = {"hidden_layer_sizes": (32,), "max_iter": 25, "random_state": 0}

runs = {
    "adam, constant": {"learning_rate_init": 0.01},
    "adam, cosine": {"learning_rate_init": 0.01, "learning_rate": "cosine"},
    "sgd, step 0.05": {"solver": "sgd", "learning_rate_init": 0.05},
    "sgd, step 0.05, max_grad_norm=1": {
        "solver": "sgd",
        "learning_rate_init": 0.05,
        "max_grad_norm": 1.0,
    },
}
models = {}
with warnings.catch_warnings():
    # 25 epochs are the budget of the comparison; the diverging run warns too.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, parameters in runs.items():
        models[name] = MLPClassifier(**settings, **parameters).fit(X, y)
for name, model in models.items():
    print(f"{name}: {model.n_iter_} epochs, final loss {model.loss_curve_[-1]:.3g}")

# %%
# The training losses
# -------------------

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, names in zip(axes, [list(runs)[:2], list(runs)[2:]], strict=True):
    for name in names:
        model = models[name]
        ax.plot(range(1, model.n_iter_ + 1), model.loss_curve_, label=name)
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax.legend()
axes[0].set_title("learning_rate='cosine'")
axes[1].set_title("max_grad_norm")
plt.show()
