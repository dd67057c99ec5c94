"""
=========================================
XOR with a 2-3-2 logistic network
=========================================

XOR is the classic function that no linear model can learn: the two classes
sit on opposite corners of the unit square. One hidden layer of three logistic
units is enough. The classic network has two output units, one per class;
giving :class:`skmlp.MLPClassifier` a one-hot target (one column per class)
builds exactly that 2-3-2 network, with a logistic output unit per column.
Given the labels ``[0, 1, 1, 0]`` instead, it would use a single output unit,
P(class 1), since P(class 0) is its complement.

L-BFGS fits the four points in a few dozen iterations. XOR has local minima,
so the seed matters: ``random_state=0`` starts in the basin of a solution.
"""

import matplotlib.pyplot as plt
import numpy as np

from skmlp import MLPClassifier

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[1, 0], [0, 1], [0, 1], [1, 0]])  # one-hot: columns "0" and "1"

clf = MLPClassifier(
    hidden_layer_sizes=(3,), activation="logistic", solver="lbfgs", random_state=0
).fit(X, Y)

print("layer shapes:", [coef.shape for coef in clf.coefs_])
print("output activation:", clf.out_activation_)
print("predictions:\n", clf.predict(X))

# %%
# The probability of class 1 over the square
# -------------------------------------------
# The hidden layer bends the input space so that a single threshold on the
# output separates the two diagonals.

grid = np.linspace(-0.25, 1.25, 121)
xx, yy = np.meshgrid(grid, grid)
proba = clf.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))[:, 1]

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
mesh = ax.contourf(xx, yy, proba.reshape(xx.shape), levels=20, cmap="RdBu_r")
fig.colorbar(mesh, ax=ax, label="output unit of class 1")
ax.scatter(X[:, 0], X[:, 1], c=Y[:, 1], cmap="RdBu_r", edgecolors="k", s=120)
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="XOR learned by a 2-3-2 network")
plt.show()
