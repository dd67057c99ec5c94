"""
=====================================================
The hidden layer as features: ``transform``
=====================================================

``transform(X)`` returns the activations of the last hidden layer, the
features the output layer works on, so a fitted network can feed another
estimator or be looked at; ``decision_function(X)`` of the classifier returns
the output layer before its softmax or logistic (the logits). Neither exists
on scikit-learn's MLP. A network with a two-unit bottleneck learns a 2-D
picture of the 64-pixel digits in which most of the ten classes fall apart.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.3, stratify=y, random_state=0
)

clf = MLPClassifier(
    hidden_layer_sizes=(64, 2),
    activation="tanh",
    learning_rate_init=0.03,
    max_iter=100,
    random_state=0,
)
with warnings.catch_warnings():
    # 100 epochs draw the picture; more would polish the last digits.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X_train, y_train)

features = clf.transform(X_test)
print("transform(X_test):", features.shape)
print("decision_function(X_test):", clf.decision_function(X_test).shape)
print(f"test accuracy through two hidden units: {clf.score(X_test, y_test):.3f}")

# %%
# The test digits in the bottleneck
# ---------------------------------

fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
points = ax.scatter(features[:, 0], features[:, 1], c=y_test, cmap="tab10", s=12)
fig.colorbar(points, ax=ax, label="digit", ticks=range(10))
ax.set(xlabel="hidden unit 1", ylabel="hidden unit 2", title="clf.transform(X_test)")
plt.show()
