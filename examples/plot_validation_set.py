"""
=====================================================
Early stopping on your own validation set
=====================================================

With ``early_stopping=True``, scikit-learn's MLP holds out a random share of
the training data and watches its accuracy (or R²). :class:`skmlp.MLPClassifier`
and :class:`skmlp.MLPRegressor` also take the validation set from you, as
``fit(X, y, X_val=..., y_val=...)``, and watch any metric: ``scoring`` names a
scikit-learn scorer, or ``'loss'`` for the data loss on the validation set.
After every epoch they record ``validation_scores_`` and
``validation_loss_curve_``, and they keep the weights of the best epoch.

Here the same network is trained twice on 200 digits, validated on 300 others,
once watching the validation accuracy and once the validation loss. The
accuracy moves in steps of 1/300 and stalls sooner than the loss, which keeps
creeping down; which epoch counts as the best depends on what is watched.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_val, y_train, y_val = train_test_split(
    X, y, train_size=200, test_size=300, stratify=y, random_state=0
)

models = {}
for scoring in ["accuracy", "loss"]:
    models[scoring] = MLPClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=0.01,
        early_stopping=True,
        max_iter=300,
        scoring=scoring,
        random_state=0,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    model = models[scoring]
    print(
        f"scoring={scoring!r}: {model.n_iter_} epochs, "
        f"validation accuracy of the kept weights {model.score(X_val, y_val):.3f}"
    )

# %%
# What each run watched
# ---------------------
# Both runs start from the same weights and see the batches in the same order,
# so their curves coincide until the first one stops, and both record the
# validation loss whatever they watch. The dotted lines mark the epoch whose
# weights each run kept, the best one by its own metric.

longest = max(models.values(), key=lambda model: model.n_iter_)
fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
epochs = range(1, longest.n_iter_ + 1)
loss_ax.plot(epochs, longest.loss_curve_, label="training loss")
loss_ax.plot(epochs, longest.validation_loss_curve_, label="validation loss")
accuracy = models["accuracy"]
score_ax.plot(range(1, accuracy.n_iter_ + 1), accuracy.validation_scores_)
for (scoring, model), color in zip(
    models.items(), ["tab:red", "tab:green"], strict=True
):
    # The scores are the negated loss for scoring='loss': higher is better.
    kept = int(np.argmax(model.validation_scores_)) + 1
    for ax in (loss_ax, score_ax):
        ax.axvline(kept, color=color, linestyle=":", label=f"kept ({scoring})")
loss_ax.set(xlabel="epoch", ylabel="loss", yscale="log", title="Losses")
score_ax.set(xlabel="epoch", ylabel="accuracy", title="Validation accuracy")
loss_ax.legend()
score_ax.legend()
plt.show()
