"""Update directions for the stochastic solvers: SGD with momentum, and Adam.

An optimiser owns its state (velocity, moments) as flat vectors shaped like the
parameter buffer, of its library and on its device; it is built from that
buffer, ``SGD(params, momentum=..., nesterov=...)``. Its protocol is

- ``step(params, grads, learning_rate)``: update ``params`` in place, one step
  of the size the schedule gives (see ``_schedules``);
- ``copy()``: an independent copy of its state, to go back to later.

Hyperparameters are explicit keywords. Deciding the step size is the
schedule's job, deciding when to stop the solver's. ``OPTIMIZERS`` is the one
list of them: the stochastic ``solver`` options and their documentation.

Each update runs as a few whole-vector operations, in place or into buffers
allocated once; every ``y += a * x`` is a single BLAS pass (``add_scaled``),
and the velocity and moments, which decay by a constant factor every step, are
``ScaledVector``s whose decay costs no pass. The formulas are scikit-learn's, so
the same gradients give the same weights up to rounding.
"""

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from ._arrays import array_ops
from ._schedules import Schedule, schedule_from_state, schedule_state
from ._vectors import ScaledVector, add_scaled


def _shallow_copy(optimizer):
    """Return a new optimiser sharing every attribute with ``optimizer``.

    Faster than ``copy.copy``, which matters as the solver copies the
    optimiser after every epoch.
    """
    twin = object.__new__(type(optimizer))
    twin.__dict__.update(optimizer.__dict__)
    return twin


class SGD:
    """Stochastic gradient descent with momentum mu, plain or Nesterov's."""

    def __init__(self, params, *, momentum, nesterov):
        self.momentum, self.nesterov = momentum, nesterov
        self.dtype = params.dtype
        self.velocity = ScaledVector(params)

    def step(self, params, grads, learning_rate):
        """Move ``params`` one step of size ``learning_rate`` against ``grads``."""
        v, mu, lr = self.velocity, self.momentum, learning_rate
        v.multiply_by(mu)
        v.add_scaled(-lr, grads)  # v = mu * v - lr * g
        if self.nesterov:
            add_scaled(params, mu * v.scale, v.values)
            add_scaled(params, -lr, grads)  # p += mu * v - lr * g
        else:
            add_scaled(params, v.scale, v.values)  # p += v

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        twin = _shallow_copy(self)
        twin.velocity = self.velocity.copy()
        return twin

    def state(self):
        """Return the optimiser as plain values, for persistence."""
        return {
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "velocity": self.velocity.state(),
        }

    @classmethod
    def from_state(cls, state):
        """Return the optimiser that ``state()`` described."""
        velocity = ScaledVector.from_state(state["velocity"])
        sgd = cls(
            velocity.values,
            momentum=state["momentum"],
            nesterov=state["nesterov"],
        )
        sgd.velocity = velocity
        return sgd


class Adam:
    """Adam (Kingma and Ba, 2014): steps scaled by running moments of g and g**2."""

    def __init__(self, params, *, beta_1, beta_2, epsilon):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.dtype = params.dtype
        self.m = ScaledVector(params)
        self.v = ScaledVector(params)
        self._work = None  # scratch for each step, allocated at the first one

    def step(self, params, grads, learning_rate):
        """Move ``params`` one step of size about ``learning_rate``, in place."""
        self.t += 1
        xp = array_ops(params)
        if self._work is None:
            self._work = xp.empty(params.shape, params.dtype, like=params)
        m, v, work = self.m, self.v, self._work
        m.multiply_by(self.beta_1)
        m.add_scaled(1 - self.beta_1, grads)  # m = beta_1 * m + (1 - beta_1) * g
        v.multiply_by(self.beta_2)
        xp.multiply(grads, grads, out=work)
        v.add_scaled(1 - self.beta_2, work)  # v = beta_2 * v + (1 - beta_2) * g**2
        # Bias correction folded into the step size. A Python float, not
        # np.float64: a numpy scalar would make every operation on float32
        # vectors run in float64 and cast back.
        lr_t = (
            learning_rate
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        # p -= lr_t m / (sqrt(v) + eps); with m = s_m M and v = s_v V (scale and
        # values) that is p -= lr_t s_m / sqrt(s_v) * M / (sqrt(V) + eps / sqrt(s_v)).
        root = math.sqrt(v.scale)
        xp.sqrt(v.values, out=work)
        work += self.epsilon / root
        xp.divide(m.values, work, out=work)
        add_scaled(params, -lr_t * m.scale / root, work)

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        twin = _shallow_copy(self)
        twin.m, twin.v = self.m.copy(), self.v.copy()
        twin._work = None  # scratch: nothing to copy, allocated when it steps
        return twin

    def state(self):
        """Return the optimiser as plain values, for persistence."""
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "t": self.t,
            "m": self.m.state(),
            "v": self.v.state(),
        }

    @classmethod
    def from_state(cls, state):
        """Return the optimiser that ``state()`` described."""
        m, v = ScaledVector.from_state(state["m"]), ScaledVector.from_state(state["v"])
        hyperparameters = {key: state[key] for key in ("beta_1", "beta_2", "epsilon")}
        adam = cls(m.values, **hyperparameters)
        adam.m, adam.v, adam.t = m, v, int(state["t"])
        return adam


def clip_to_norm(grads, max_norm):
    """Scale ``grads`` in place to Euclidean norm ``max_norm`` if it is larger."""
    norm = math.sqrt(float(grads @ grads))
    if norm > max_norm:
        grads *= max_norm / norm


class Optimizer(Protocol):
    """What an update direction offers the solver."""

    def step(self, params, grads, learning_rate):
        """Update ``params`` in place, one step of size ``learning_rate``."""

    def copy(self):
        """Return an independent copy of the optimiser's state."""

    def state(self):
        """Return the state as plain values; ``from_state`` builds it again."""


@dataclass
class UpdateRule:
    """One training step: clip the gradient, then let the optimiser step.

    The optimiser gives the direction, the schedule (see ``_schedules``) its
    size, and ``max_grad_norm``, when set, caps the norm of the whole gradient
    vector first, the way optax chains small transforms.
    """

    solver: str
    optimizer: Optimizer
    schedule: Schedule
    max_grad_norm: float | None = None

    @property
    def learning_rate(self):
        """Return the step size the schedule gives now."""
        return self.schedule.rate

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``; ``grads`` may be rescaled."""
        if self.max_grad_norm is not None:
            clip_to_norm(grads, self.max_grad_norm)
        self.optimizer.step(params, grads, self.schedule.rate)

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        schedule = copy.copy(self.schedule)
        return replace(self, optimizer=self.optimizer.copy(), schedule=schedule)

    def state(self):
        """Return the rule as plain values (dicts, numbers, arrays): safe to save."""
        return {
            "solver": self.solver,
            "max_grad_norm": self.max_grad_norm,
            "optimizer": self.optimizer.state(),
            "optimizer_kind": type(self.optimizer).__name__,
            "schedule": schedule_state(self.schedule),
        }

    @classmethod
    def from_state(cls, state):
        """Return the rule that ``state()`` described."""
        kind = {"SGD": SGD, "Adam": Adam}[state["optimizer_kind"]]
        return cls(
            state["solver"],
            kind.from_state(state["optimizer"]),
            schedule_from_state(state["schedule"]),
            state["max_grad_norm"],
        )


class OptimizerEntry(NamedTuple):
    """A ``solver`` option that steps through mini-batches, and its documentation.

    ``build(params, estimator)`` returns the optimiser for the parameter
    buffer ``params``, reading its hyperparameters from the estimator.
    """

    build: Callable
    description: str


OPTIMIZERS = {
    "sgd": OptimizerEntry(
        lambda params, p: SGD(
            params, momentum=p.momentum, nesterov=p.nesterovs_momentum
        ),
        "mini-batch stochastic gradient descent with momentum and a "
        "learning_rate schedule.",
    ),
    "adam": OptimizerEntry(
        lambda params, p: Adam(
            params, beta_1=p.beta_1, beta_2=p.beta_2, epsilon=p.epsilon
        ),
        "mini-batch Adam (Kingma and Ba), which divides each weight's step by "
        "a running root mean square of its gradients.",
    ),
}
