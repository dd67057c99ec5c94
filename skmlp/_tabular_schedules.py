"""Schedules of the tabular networks, as functions of training progress.

Progress t runs from 0 (before the first step) to 1 (after the last epoch).
The hyperparameters RealMLP-TD schedules (pytabkit's ``training/scheduling.py``)
are a base value times one of two shapes:

- ``coslog(t, n_cycles)``, RealMLP's "coslog4" learning-rate shape with
  ``n_cycles=4``: a cosine of the logarithm of time,
  ``(1 - cos(2 pi log2(1 + (2**n - 1) t))) / 2``. It starts at 0, and its
  n cycles up to 1 and back to 0 each take twice as long as the one before
  (the first ends at t = 1 / (2**n - 1)), so the warm-ups are short and
  training ends at a rate of 0.
- ``flat_cos(t)``, RealMLP's "flat_cos" for dropout and weight decay: 1 for the
  first half of training, then a half cosine down to 0,
  ``(1 + cos(pi (2 t - 1))) / 2`` for t >= 1/2.

RealMLP-TD evaluates them after every step (t = samples seen / (samples per
epoch * epochs)). skmlp's stochastic solver moves a schedule on once per epoch,
so ``progress_schedule`` takes the value at the middle of each epoch: the first
epoch then gets a small positive rate rather than coslog's 0 at t = 0.
"""

import numpy as np

from ._schedules import ScheduleRecord


def coslog(progress, n_cycles=4):
    """Return RealMLP's coslog shape at ``progress`` t in [0, 1]."""
    t = np.asarray(progress, dtype=float)
    return 0.5 * (1 - np.cos(2 * np.pi * np.log2(1 + (2**n_cycles - 1) * t)))


def flat_cos(progress):
    """Return 1 for t < 1/2, then (1 + cos(pi (2 t - 1))) / 2 down to 0 at t = 1."""
    t = np.asarray(progress, dtype=float)
    return np.where(t < 0.5, 1.0, 0.5 * (1 + np.cos(np.pi * (2 * t - 1))))


SHAPES = {"coslog4": coslog, "flat_cos": flat_cos}


def progress_schedule(shape):
    """Return the ScheduleRecord of eta = learning_rate_init * shape(t).

    t is taken at the middle of each epoch, ``(e + 1/2) / max_iter`` in epoch
    e; the length of training is fixed by ``max_iter``, so a stall never
    lowers the rate. ``shape`` names an entry of ``SHAPES``.
    """

    def rate(state):
        progress = epoch_progress(state["epoch"], state["max_iter"])
        return float(state["learning_rate_init"] * SHAPES[shape](progress))

    def start(settings):
        state = {
            "learning_rate_init": settings.learning_rate_init,
            "max_iter": settings.max_iter,
            "epoch": 0,
        }
        return {**state, "rate": rate(state)}

    def after_epoch(state, t):
        state["epoch"] += 1
        return rate(state)

    description = f"eta = learning_rate_init * {shape}(t), t the progress of training."
    return ScheduleRecord(start, description, after_epoch=after_epoch, skmlp_only=True)


def epoch_progress(epoch, max_epochs):
    """Return the progress t at the middle of ``epoch`` (counted from 0)."""
    return min((epoch + 0.5) / max_epochs, 1.0)
