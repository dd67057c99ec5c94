"""
=====================================================
Drawing loss curves with ``LossCurveDisplay``
=====================================================

:class:`skmlp.plot.LossCurveDisplay` draws what a fit recorded: the training
loss of every epoch (``loss_curve_``) and, when early stopping used a
validation set, the validation loss, the validation score on a second axis
and the epoch whose weights were kept. Like scikit-learn's displays it is
built with :meth:`~skmlp.plot.LossCurveDisplay.from_estimator`, or from the
curves themselves, and draws into the axes it is given.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier
from skmlp.plot import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)

clf = MLPClassifier(
    hidden_layer_sizes=(64,),
    learning_rate_init=0.01,
    early_stopping=True,
    max_iter=200,
    random_state=0,
).fit(X_train, y_train)
print(
    f"{clf.n_iter_} epochs, best validation accuracy {clf.best_validation_score_:.3f}"
)

display = LossCurveDisplay.from_estimator(clf, name="MLPClassifier, early stopping")
print("lines drawn:", sorted(display.lines_))
plt.show()

# %%
# Several runs on one axes
# ------------------------
# ``ax`` draws into existing axes and the keyword arguments go to the training
# loss line, so runs can be compared side by side, here three step sizes.

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for rate in [0.001, 0.01, 0.1]:
    model = MLPClassifier(
        hidden_layer_sizes=(64,), learning_rate_init=rate, max_iter=30, random_state=0
    )
    with warnings.catch_warnings():
        # 30 epochs are enough to compare the curves, not to converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    LossCurveDisplay(loss_curve=model.loss_curve_).plot(
        ax=ax, label=f"learning_rate_init={rate}"
    )
ax.set(yscale="log", title="Adam with three step sizes")
plt.show()
