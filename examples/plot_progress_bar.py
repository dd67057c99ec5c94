"""
=====================================================
Watching a fit: a progress bar and per-epoch scores
=====================================================

With scikit-learn 1.9 or later, skmlp's estimators take scikit-learn's
callbacks (``sklearn.callback``) through ``set_callbacks``. A fit is one task
with one subtask per epoch, and every finished epoch hands the callbacks a
model with that epoch's weights. :class:`~sklearn.callback.ProgressBar` draws
a bar that advances with the epochs (it needs rich: ``pip install
"skmlp[progress]"``), and :class:`~sklearn.callback.ScoringMonitor` scores
each epoch's model on the training data.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16

monitor = ScoringMonitor(scoring="accuracy")
clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
with warnings.catch_warnings():
    # 30 epochs are enough to watch, not to converge.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.set_callbacks(ProgressBar(), monitor).fit(X, y)

# %%
# The scores the monitor logged
# -----------------------------
# ``get_logs`` returns a log per fit; its ``data_as_pandas`` has one row per
# task: the whole fit, then each epoch, identified by ``task_id_path``.

log = monitor.get_logs().data_as_pandas
epochs = log[log["task_id_path"].map(len) == 2]
print(epochs[["task_id_path", "accuracy"]].tail())

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.plot(range(1, len(epochs) + 1), epochs["accuracy"], marker=".")
ax.set(xlabel="epoch", ylabel="training accuracy", title="ScoringMonitor")
plt.show()
