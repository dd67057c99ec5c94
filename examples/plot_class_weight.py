"""
=====================================================
Imbalanced classes: ``class_weight``
=====================================================

scikit-learn's MLPClassifier has no ``class_weight``; :class:`skmlp.MLPClassifier`
does. With ``class_weight="balanced"`` each sample's term in the loss is
weighted by ``n_samples / (n_classes * count of its class)``, so that the rare
class weighs as much in total as the common one. The network then stops
sacrificing the rare class: its recall rises, at the price of more false
alarms, and the boundary moves into the common class's territory.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import balanced_accuracy_score, recall_score

from skmlp import MLPClassifier

X, y = make_blobs(n_samples=[450, 50], centers=[[0.0, 0.0], [1.5, 1.5]], random_state=0)

settings = {
    "hidden_layer_sizes": (8,),
    "alpha": 1.0,
    "solver": "lbfgs",
    "max_iter": 1000,
    "random_state": 0,
}
models = {
    "class_weight=None": MLPClassifier(**settings),
    'class_weight="balanced"': MLPClassifier(class_weight="balanced", **settings),
}
for name, model in models.items():
    model.fit(X, y)
    predicted = model.predict(X)
    print(
        f"{name}: recall of the rare class {recall_score(y, predicted):.2f}, "
        f"balanced accuracy {balanced_accuracy_score(y, predicted):.2f}"
    )

# %%
# The decision boundaries
# -----------------------

grid = np.linspace(-3.5, 5, 150)
xx, yy = np.meshgrid(grid, grid)
points = np.column_stack([xx.ravel(), yy.ravel()])

fig, ax = plt.subplots(figsize=(5, 4.5), layout="constrained")
ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, alpha=0.7)
for (name, model), color in zip(models.items(), ["k", "tab:green"], strict=True):
    proba = model.predict_proba(points)[:, 1].reshape(xx.shape)
    ax.contour(xx, yy, proba, levels=[0.5], colors=color)
    ax.plot([], [], color=color, label=name)
ax.set(title="Boundaries on 450 : 50 classes", xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="upper left")
plt.show()
