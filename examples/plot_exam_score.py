"""
=====================================================
Exam scores from hours of study and sleep (2-3-1)
=====================================================

A classic first network: predict a student's test score from the hours they
studied and the hours they slept, with two inputs, three sigmoid hidden units
and one output. As in the original exercise, each input column is divided by
its maximum and the scores by 100, so every number the network sees lies in
[0, 1] and the sigmoid units start far from saturation.

With 13 parameters for three students, L-BFGS fits the training data almost
exactly; the surface below shows what the network makes of every other
combination of study and sleep.
"""

import matplotlib.pyplot as plt
import numpy as np

from skmlp import MLPRegressor

# Hours studied, hours slept; test score out of 100.
X = np.array([[3.0, 5.0], [5.0, 1.0], [10.0, 2.0]])
y = np.array([75.0, 82.0, 93.0])
x_max = X.max(axis=0)

reg = MLPRegressor(
    hidden_layer_sizes=(3,),
    activation="logistic",
    solver="lbfgs",
    alpha=0.0,
    tol=1e-10,
    max_iter=1000,
    random_state=0,
).fit(X / x_max, y / 100)

print("layer shapes:", [coef.shape for coef in reg.coefs_])
for hours, score, predicted in zip(X, y, 100 * reg.predict(X / x_max), strict=True):
    print(f"studied {hours[0]:g} h, slept {hours[1]:g} h: {score:g} -> {predicted:.2f}")

# %%
# Predicted score over hours studied and slept
# --------------------------------------------

# The grid reaches past the students (10 h of study, 5 h of sleep) so that no
# marker sits on the edge of the plot, half cut off.
study, sleep = np.meshgrid(np.linspace(0, 11, 56), np.linspace(0, 6, 61))
grid = np.column_stack([study.ravel(), sleep.ravel()]) / x_max
score = 100 * reg.predict(grid).reshape(study.shape)

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
mesh = ax.contourf(study, sleep, score, levels=20, cmap="viridis")
fig.colorbar(mesh, ax=ax, label="predicted score")
ax.scatter(X[:, 0], X[:, 1], c="white", edgecolors="k", s=80, label="students")
ax.set(xlabel="hours studied", ylabel="hours slept", title="2-3-1 sigmoid network")
ax.legend(loc="upper left")
plt.show()
