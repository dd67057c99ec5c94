"""
==============================================
Handwritten digits with a 64-30-10 network
==============================================

The classic digit recogniser reads 28x28 MNIST images through 784 inputs, a
hidden layer of 30 units and 10 softmax outputs, one per digit (784-30-10).
This example keeps the hidden and output layers but reads scikit-learn's own
digits data set (:func:`~sklearn.datasets.load_digits`: 1,797 images of 8x8
pixels) instead of MNIST, so that it runs offline and in about a second: 64
inputs, so the network is 64-30-10. The hidden units are ReLUs, and for more
than two classes :class:`skmlp.MLPClassifier` puts a softmax on the output
layer and trains it on the cross-entropy.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16  # pixel intensities are 0..16
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

clf = MLPClassifier(
    hidden_layer_sizes=(30,),
    activation="relu",
    learning_rate_init=0.01,
    max_iter=300,
    random_state=0,
).fit(X_train, y_train)

print("layer shapes:", [coef.shape for coef in clf.coefs_])
print("output activation:", clf.out_activation_)
print(f"epochs: {clf.n_iter_}, test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Which digits get confused
# -------------------------

ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, colorbar=False)
plt.title("64-30-10 network on the digits test set")
plt.show()

# %%
# What the hidden units look for
# ------------------------------
# Each column of the first weight matrix ``coefs_[0]``, of shape (64, 30),
# holds the 64 input weights of one hidden unit; drawn as an 8x8 image it
# shows the strokes that excite (red) or inhibit (blue) that unit.

fig, axes = plt.subplots(3, 10, figsize=(10, 3.3), layout="constrained")
limit = abs(clf.coefs_[0]).max()
for unit, ax in enumerate(axes.ravel()):
    ax.imshow(
        clf.coefs_[0][:, unit].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit
    )
    ax.set_axis_off()
fig.suptitle("Input weights of the 30 hidden units")
plt.show()
