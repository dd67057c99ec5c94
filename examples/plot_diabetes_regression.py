"""
=======================================================
Regression on real data: diabetes progression
=======================================================

scikit-learn's diabetes data set (:func:`~sklearn.datasets.load_diabetes`,
442 patients, 10 features, no download) has a target in the hundreds: a
measure of disease progression one year after the baseline. A network starts
with outputs near 0 and moves them by small steps, so targets of that size
take many epochs to reach. :class:`~sklearn.compose.TransformedTargetRegressor`
standardises the target for the network and scales its predictions back, so
``predict`` and ``score`` stay in the original units. Early stopping ends
training when the :math:`R^2` on a held-out tenth of the training data stops
improving, and keeps the best epoch's weights.
"""

import matplotlib.pyplot as plt
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPRegressor
from skmlp.plot import LossCurveDisplay

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# 442 noisy samples: a small network with a strong L2 penalty (alpha), and a
# patience of 20 epochs, since the R^2 of 34 validation samples is noisy.
network = MLPRegressor(
    hidden_layer_sizes=(16,),
    alpha=1.0,
    early_stopping=True,
    n_iter_no_change=20,
    max_iter=1000,
    random_state=0,
)
model = TransformedTargetRegressor(
    make_pipeline(StandardScaler(), network), transformer=StandardScaler()
).fit(X_train, y_train)

fitted = model.regressor_[-1]
print(f"target: mean {y_train.mean():.0f}, standard deviation {y_train.std():.0f}")
print(f"stopped after {fitted.n_iter_} epochs, kept the best of them")
print(f"test R^2: {model.score(X_test, y_test):.3f}")
# A linear model is the baseline to beat on this small data set.
ridge = make_pipeline(StandardScaler(), RidgeCV()).fit(X_train, y_train)
print(f"test R^2 of RidgeCV: {ridge.score(X_test, y_test):.3f}")

# %%
# The loss curve
# --------------
# ``LossCurveDisplay.from_estimator`` finds the network inside the
# TransformedTargetRegressor and its pipeline. The losses are those of the
# standardised target; the dashed line marks the epoch whose weights were kept.

LossCurveDisplay.from_estimator(model, name="MLPRegressor on diabetes")
plt.show()

# %%
# Predictions against the truth
# -----------------------------

fig, ax = plt.subplots(figsize=(4.5, 4.5), layout="constrained")
ax.scatter(y_test, model.predict(X_test), s=12)
limits = [y.min(), y.max()]
ax.plot(limits, limits, color="grey", linestyle="--", label="perfect prediction")
ax.set(xlabel="true progression", ylabel="predicted progression")
ax.legend(loc="upper left")
plt.show()
