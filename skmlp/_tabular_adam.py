"""Adam with per-parameter factors and decoupled weight decay, on a progress schedule.

The tabular networks train every parameter group at its own rate (see
``TabularNetwork.factors``). With global rate eta_t, weight decay lambda_t,
and per-parameter learning-rate and weight-decay factors r and d, one step is::

    theta *= 1 - eta_t r lambda_t d                 (decoupled weight decay)
    m = beta_1 m + (1 - beta_1) g,   v = beta_2 v + (1 - beta_2) g^2
    theta -= eta_t r m_hat / (sqrt(v_hat) + eps)    (bias-corrected moments)

as torch's AdamW does per parameter group. ``TabularUpdate`` is the update
rule the stochastic solver steps with: after every epoch it moves eta_t to
``learning_rate_init * coslog4(t)`` (or keeps it constant) and lambda_t to
``weight_decay * flat_cos(t)``, t being the progress of training at the middle
of the next epoch (see ``_tabular_schedules``).
"""

import math
from dataclasses import dataclass

import numpy as np

from ._optimizers import OptimizerRecord
from ._tabular_schedules import SHAPES, epoch_progress


def adamw_init(params, *, beta_1, beta_2, epsilon, lr_factors, weight_decay_factors):
    """Return the optimiser state: hyperparameters, factors, zero moments m and v."""
    return {
        "beta_1": beta_1,
        "beta_2": beta_2,
        "epsilon": epsilon,
        "lr_factors": np.asarray(lr_factors, dtype=params.dtype),
        "weight_decay_factors": np.asarray(weight_decay_factors, dtype=params.dtype),
        "weight_decay": 0.0,
        "t": 0,
        "m": np.zeros_like(params),
        "v": np.zeros_like(params),
    }


def adamw_update(params, grads, state, learning_rate):
    """Move ``params`` one decoupled-decay Adam step with per-parameter rates."""
    beta_1, beta_2, rates = state["beta_1"], state["beta_2"], state["lr_factors"]
    state["t"] += 1
    m, v, t = state["m"], state["v"], state["t"]
    if state["weight_decay"]:
        shrink = learning_rate * state["weight_decay"]
        params *= 1 - shrink * rates * state["weight_decay_factors"]
    m *= beta_1
    m += (1 - beta_1) * grads  # m = beta_1 m + (1 - beta_1) g
    v *= beta_2
    v += (1 - beta_2) * grads * grads  # v = beta_2 v + (1 - beta_2) g^2
    # Bias correction folded into the step: m_hat / sqrt(v_hat) = c m / sqrt(v)
    # with c = sqrt(1 - beta_2^t) / (1 - beta_1^t), eps scaled to match.
    correction = math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    eps = state["epsilon"] * math.sqrt(1 - beta_2**t)
    params -= (learning_rate * correction) * rates * m / (np.sqrt(v) + eps)


ADAMW = OptimizerRecord(
    adamw_init,
    adamw_update,
    {"beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
    "mini-batch Adam with a learning-rate factor per parameter and decoupled "
    "weight decay (theta shrinks by lr * factors * weight_decay each step).",
)


def _copied(state):
    """Return a copy of the optimiser state with its arrays copied."""
    return {
        key: value.copy() if isinstance(value, np.ndarray) else value
        for key, value in state.items()
    }


@dataclass
class TabularUpdate:
    """The tabular networks' update rule: ``ADAMW`` on scheduled eta_t and lambda_t.

    ``schedule`` holds plain numbers: ``learning_rate_init``, ``weight_decay``,
    ``shape`` (a key of ``SHAPES``, or "constant"), ``max_iter``, ``epoch`` and
    the current ``rate``. Training length is fixed, so a stall never lowers
    the rate.
    """

    optimizer: dict
    schedule: dict
    max_grad_norm: float | None = None

    @classmethod
    def start(cls, optimizer, schedule):
        """Return the rule at epoch 0, with the first epoch's rates set."""
        rule = cls(optimizer, {**schedule, "epoch": 0})
        rule._set_rates()
        return rule

    @property
    def learning_rate(self):
        """Return the step size eta_t of the current epoch."""
        return self.schedule["rate"]

    def _set_rates(self):
        """Set eta_t and lambda_t for the middle of the current epoch."""
        schedule = self.schedule
        t = epoch_progress(schedule["epoch"], schedule["max_iter"])
        shape = SHAPES.get(schedule["shape"], lambda t: 1.0)
        schedule["rate"] = float(schedule["learning_rate_init"] * shape(t))
        decay = schedule["weight_decay"] * SHAPES["flat_cos"](t)
        self.optimizer["weight_decay"] = float(decay)

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        ADAMW.update(params, grads, self.optimizer, self.learning_rate)

    def end_epoch(self, t):
        """Move both schedules on to the next epoch."""
        self.schedule["epoch"] += 1
        self._set_rates()

    def reduce_after_stall(self):
        """Return False: the length of training is fixed in advance."""
        return False

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        return TabularUpdate(_copied(self.optimizer), dict(self.schedule))
