"""
=================================================
Loss curves of skmlp and scikit-learn on digits
=================================================

Train :class:`skmlp.MLPClassifier` and scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` with the same hyperparameters and
the same ``random_state`` on the digits data set. Both start from the same
weights and shuffle the samples in the same order, so their training loss
curves lie on top of each other, and the two models reach the same test
accuracy.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

settings = {"hidden_layer_sizes": (64,), "max_iter": 30, "random_state": 0}
models = {
    "skmlp": MLPClassifier(**settings),
    "scikit-learn": SklearnMLPClassifier(**settings),
}
with warnings.catch_warnings():
    # 30 epochs are enough to compare the curves, not to converge.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for model in models.values():
        model.fit(X_train, y_train)
for name, model in models.items():
    print(f"{name}: test accuracy {model.score(X_test, y_test):.4f}")

# %%
# The two training loss curves
# ----------------------------

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for (name, model), style in zip(models.items(), ["-", "--"], strict=True):
    ax.plot(range(1, model.n_iter_ + 1), model.loss_curve_, style, label=name)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
ax.set_title("MLPClassifier on digits, same random_state")
ax.legend()
plt.show()
