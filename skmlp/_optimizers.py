"""Update directions for the stochastic solvers: SGD with momentum, and Adam.

An optimiser is a record of two plain functions, the way optax writes them:

- ``init(params, **hyperparameters)`` returns its state, a plain dict of
  numbers and arrays shaped like the flat parameter buffer (velocity, moments),
  of its library and on its device;
- ``update(params, grads, state, learning_rate)`` moves ``params`` in place one
  step of the size the schedule gives (see ``_schedules``), updating ``state``.

State keys that start with "_" hold scratch buffers: never copied or saved.
Deciding the step size is the schedule's job, deciding when to stop the
solver's. ``OPTIMIZERS`` is the one list of them: the stochastic ``solver``
options, their estimator parameters, documentation and persistence.

Each update runs as a few whole-vector operations, in place or into buffers
allocated once; every ``y += a * x`` is a single BLAS pass (the ops' ``add_scaled``),
and the velocity and moments, which decay by a constant factor every step, are
scaled vectors whose decay costs no pass. The formulas are scikit-learn's, so
the same gradients give the same weights up to rounding.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from ._arrays import array_ops, map_arrays
from ._schedules import SCHEDULES
from ._vectors import decay_and_add


def sgd_init(params, *, momentum, nesterov):
    """Return SGD's state: its hyperparameters and a zero velocity."""
    zeros = array_ops(params).zeros(params.shape, params.dtype, like=params)
    velocity = {"values": zeros, "scale": 1.0}  # a scaled vector
    return {"momentum": momentum, "nesterov": nesterov, "velocity": velocity}


def sgd_update(params, grads, state, learning_rate):
    """Move ``params`` one SGD step with momentum mu, plain or Nesterov's."""
    xp, v = array_ops(params), state["velocity"]
    mu, lr = state["momentum"], learning_rate
    decay_and_add(v, mu, -lr, grads, xp)  # v = mu * v - lr * g
    if state["nesterov"]:
        xp.add_scaled(params, mu * v["scale"], v["values"])
        xp.add_scaled(params, -lr, grads)  # p += mu * v - lr * g
    else:
        xp.add_scaled(params, v["scale"], v["values"])  # p += v


def adam_init(params, *, beta_1, beta_2, epsilon):
    """Return Adam's state: hyperparameters, step count, zero moments m and v."""
    state = {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon, "t": 0}
    zeros = array_ops(params).zeros
    for moment in ("m", "v"):
        values = zeros(params.shape, params.dtype, like=params)
        state[moment] = {"values": values, "scale": 1.0}  # a scaled vector
    return state


def adam_update(params, grads, state, learning_rate):
    """Move ``params`` one Adam step (Kingma and Ba) of about ``learning_rate``."""
    xp, beta_1, beta_2 = array_ops(params), state["beta_1"], state["beta_2"]
    state["t"] += 1
    if state.get("_work") is None:
        state["_work"] = xp.empty(params.shape, params.dtype, like=params)
    m, v, work = state["m"], state["v"], state["_work"]
    decay_and_add(m, beta_1, 1 - beta_1, grads, xp)  # m = beta_1 m + (1 - beta_1) g
    xp.multiply(grads, grads, out=work)
    decay_and_add(v, beta_2, 1 - beta_2, work, xp)  # v = beta_2 v + (1 - beta_2) g**2
    # Bias correction folded into the step size, a Python float: a numpy
    # scalar would make every operation on float32 vectors run in float64.
    t = state["t"]
    lr_t = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    # p -= lr_t m / (sqrt(v) + eps); with m = s_m M and v = s_v V (scale and
    # values) that is p -= lr_t s_m / sqrt(s_v) * M / (sqrt(V) + eps / sqrt(s_v)).
    root = math.sqrt(v["scale"])
    xp.sqrt(v["values"], out=work)
    work += state["epsilon"] / root
    xp.divide(m["values"], work, out=work)
    xp.add_scaled(params, -lr_t * m["scale"] / root, work)


@dataclass(frozen=True)
class OptimizerRecord:
    """A ``solver`` option that steps through mini-batches.

    ``hyperparameters`` maps each keyword of ``init`` to the estimator
    parameter that gives its value.
    """

    init: Callable
    update: Callable
    hyperparameters: dict
    description: str


OPTIMIZERS = {
    "sgd": OptimizerRecord(
        sgd_init,
        sgd_update,
        {"momentum": "momentum", "nesterov": "nesterovs_momentum"},
        "mini-batch stochastic gradient descent with momentum and a "
        "learning_rate schedule.",
    ),
    "adam": OptimizerRecord(
        adam_init,
        adam_update,
        {"beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
        "mini-batch Adam (Kingma and Ba), which divides each weight's step by "
        "a running root mean square of its gradients.",
    ),
}


def clip_to_norm(grads, max_norm):
    """Scale ``grads`` in place to Euclidean norm ``max_norm`` if it is larger.

    Returns False, leaving ``grads`` alone, when an entry is not finite.
    """
    norm = math.sqrt(float(grads @ grads))
    if not math.isfinite(norm):
        # The squares may overflow where the gradient does not: ||g|| = m ||g / m||.
        largest = float(array_ops(grads).max(abs(grads)))
        if not math.isfinite(largest):
            return False
        scaled = grads / largest
        norm = largest * math.sqrt(float(scaled @ scaled))
    if norm > max_norm:
        grads *= max_norm / norm
    return True


_PLAIN_VALUES = {bool, int, float, str, type(None)}


def _copied(state):
    """Return a copy of a state dict: its arrays copied, its scratch left out.

    Written out rather than through ``map_arrays``: the solver copies the
    state after every epoch, and small fits notice the difference.
    """
    copy = {}
    for key, value in state.items():
        kind = type(value)
        if kind is dict:
            value = _copied(value)
        elif key[0] == "_":
            continue
        elif kind not in _PLAIN_VALUES:
            value = array_ops(value).copy(value)
        copy[key] = value
    return copy


@dataclass
class UpdateRule:
    """One training step: clip the gradient, then let the optimiser step.

    The optimiser (``OPTIMIZERS[solver]``, its state in ``optimizer``) gives
    the direction, the schedule (its state in ``schedule``) the size, and
    ``max_grad_norm``, when set, caps the norm of the whole gradient vector
    first, the way optax chains small transforms. ``weight_decay`` shrinks
    the first ``n_decayed`` parameters (the weights, not the biases) before
    each step. Every field is plain data.
    """

    solver: str
    optimizer: dict
    schedule: dict
    max_grad_norm: float | None = None
    weight_decay: float = 0.0
    n_decayed: int = 0

    @property
    def dtype(self):
        """Return the dtype of the optimiser state's arrays, None if it has none."""
        dtypes = []
        map_arrays(self.optimizer, lambda array: dtypes.append(array.dtype))
        return dtypes[0] if dtypes else None

    @property
    def learning_rate(self):
        """Return the step size the schedule gives now."""
        return self.schedule["rate"]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``; ``grads`` may be rescaled.

        A gradient of non-finite norm under ``max_grad_norm`` is applied
        as it is, so that the solver sees the weights diverge.
        """
        if self.max_grad_norm is not None:
            clip_to_norm(grads, self.max_grad_norm)
        rate = self.schedule["rate"]  # the schedule's current step size
        if self.weight_decay:
            # Decoupled decay (Loshchilov and Hutter): the weights shrink in
            # proportion to the step size, apart from the gradient's step.
            weights = params[: self.n_decayed]
            weights *= 1 - rate * self.weight_decay
        OPTIMIZERS[self.solver].update(params, grads, self.optimizer, rate)

    def end_epoch(self, t):
        """Move the schedule on after an epoch; ``t`` counts the samples seen."""
        after_epoch = SCHEDULES[self.schedule["name"]].after_epoch
        if after_epoch is not None:
            self.schedule["rate"] = after_epoch(self.schedule, t)

    def reduce_after_stall(self):
        """Lower the rate after a stall; return whether training may go on."""
        after_stall = SCHEDULES[self.schedule["name"]].after_stall
        rate = None if after_stall is None else after_stall(self.schedule)
        if rate is None:
            return False
        self.schedule["rate"] = rate
        return True

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        return UpdateRule(
            self.solver,
            _copied(self.optimizer),
            dict(self.schedule),
            self.max_grad_norm,
            self.weight_decay,
            self.n_decayed,
        )

    def state(self):
        """Return the rule as plain values (dicts, numbers, arrays): safe to save."""
        return {
            "solver": self.solver,
            "max_grad_norm": self.max_grad_norm,
            "weight_decay": self.weight_decay,
            "n_decayed": self.n_decayed,
            "optimizer": _copied(self.optimizer),
            "schedule": dict(self.schedule),
        }

    @classmethod
    def from_state(cls, state):
        """Return the rule that ``state()`` described, checking its names."""
        solver, schedule = state.get("solver"), state.get("schedule", {}).get("name")
        if solver not in OPTIMIZERS or schedule not in SCHEDULES:
            raise ValueError(
                "This is not a valid skmlp model: its saved optimiser names "
                f"solver={solver!r} and learning_rate={schedule!r}, but this "
                f"version of skmlp knows solvers {sorted(OPTIMIZERS)} and "
                f"schedules {sorted(SCHEDULES)}."
            )
        optimizer, schedule = _copied(state["optimizer"]), dict(state["schedule"])
        decay = state.get("weight_decay", 0.0), state.get("n_decayed", 0)
        return cls(solver, optimizer, schedule, state["max_grad_norm"], *decay)
