"""
=================================================
Saving and loading a model: pickle and skops
=================================================

A fitted model saves like any scikit-learn estimator. :mod:`pickle` (and
``joblib.dump``) is the quick way, but loading a pickle runs whatever code the
file names, so load only pickles you trust. `skops
<https://skops.readthedocs.io>`_ writes a format that loads without running
code: every type in the file must be trusted by name, and for a skmlp model
that is the estimator class alone. This example needs the ``skops`` extra
(``pip install ".[skops]"`` from a clone) besides ``plots``.
"""

import pickle
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import skops.io as sio
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, random_state=0)
clf.fit(X_train, y_train)

folder = Path(tempfile.mkdtemp())

with open(folder / "model.pkl", "wb") as file:
    pickle.dump(clf, file)
with open(folder / "model.pkl", "rb") as file:
    from_pickle = pickle.load(file)

sio.dump(clf, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print("types to trust:", untrusted)
from_skops = sio.load(folder / "model.skops", trusted=untrusted)

for name, loaded in [("pickle", from_pickle), ("skops", from_skops)]:
    same = np.array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    print(f"{name}: same probabilities as the saved model: {same}")

# %%
# Training goes on after loading
# ------------------------------
# The optimiser's state is saved too, so ``partial_fit`` on the loaded model
# takes exactly the step the original would have taken. (``partial_fit`` has
# no early stopping, so it is switched off on both first.)

clf.set_params(early_stopping=False)
from_skops.set_params(early_stopping=False)
clf.partial_fit(X_train, y_train)
from_skops.partial_fit(X_train, y_train)
print(
    "same weights after one more epoch:",
    np.array_equal(clf.coefs_[0], from_skops.coefs_[0]),
)

fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.plot(clf.loss_curve_, label="saved model, trained on")
ax.plot(from_skops.loss_curve_, linestyle="--", label="loaded from skops, trained on")
ax.set(xlabel="epoch", ylabel="training loss", title="One curve, saved and restored")
ax.legend()
plt.show()
