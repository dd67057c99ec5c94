"""
=====================================================
The hidden activations
=====================================================

Besides scikit-learn's 'identity', 'logistic', 'tanh' and 'relu',
:class:`skmlp.MLPClassifier` and :class:`skmlp.MLPRegressor` accept
``activation='leaky_relu'``, ``'elu'``, ``'gelu'``, ``'softplus'`` and
``'silu'`` for their hidden layers. The same small network fits a noisy sine
with each of them; the ReLU family draws a piecewise linear curve with kinks,
the smooth activations a smooth one.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPRegressor

rng = np.random.default_rng(0)
x = np.sort(rng.uniform(-3, 3, size=100))
y = np.sin(2 * x) + rng.normal(scale=0.1, size=x.size)
X = x.reshape(-1, 1)
x_plot = np.linspace(-3.5, 3.5, 300)

activations = ["relu", "leaky_relu", "elu", "tanh", "gelu", "softplus", "silu"]
fig, axes = plt.subplots(2, 4, figsize=(10, 5), layout="constrained", sharey=True)
for ax, activation in zip(axes.ravel(), activations, strict=False):
    reg = MLPRegressor(
        hidden_layer_sizes=(10,),
        activation=activation,
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    )
    with warnings.catch_warnings():
        # The smooth activations would polish the fit for another thousand
        # iterations; 300 are enough for the picture.
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    print(f"{activation}: R^2 on the training data {reg.score(X, y):.3f}")
    ax.scatter(x, y, s=5, color="0.6")
    ax.plot(x_plot, reg.predict(x_plot.reshape(-1, 1)), color="tab:blue")
    ax.set_title(f"activation={activation!r}")
axes.ravel()[-1].set_axis_off()
fig.suptitle("One hidden layer of 10 units, 300 L-BFGS iterations at most")
plt.show()
