"""Learning-rate schedules: the step size eta of every epoch, beside the optimisers.

An optimiser decides the direction of a step; a schedule decides its size. A
schedule is a record of plain functions over a state that is a plain dict of
numbers (so it copies, pickles and saves as it is):

- ``start(settings)`` returns the state of the first epoch; ``state["rate"]``
  is always the step size eta to use for the coming batches;
- ``after_epoch(state, t)``, called after every epoch with ``t`` the number of
  samples seen so far (``t_``), returns the rate of the next epoch;
- ``after_stall(state)``, called when training stalls for ``n_iter_no_change``
  epochs, returns the smaller rate to go on with, or None to stop.

``SCHEDULES`` is the one list of them: the ``learning_rate`` parameter's
options, its documentation, persistence and the tests all come from it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple


class ScheduleSettings(NamedTuple):
    """The estimator parameters a schedule may read."""

    learning_rate_init: float
    power_t: float
    max_iter: int


@dataclass(frozen=True)
class ScheduleRecord:
    """A ``learning_rate`` option: its functions and what it does.

    ``sgd_only`` marks scikit-learn's own schedules, which its Adam ignores;
    skmlp keeps that meaning so that every scikit-learn setting gives
    scikit-learn's results. A schedule without ``after_epoch`` keeps its rate;
    one without ``after_stall`` stops training when it stalls.
    """

    start: Callable[[ScheduleSettings], dict]
    description: str
    after_epoch: Callable[[dict, int], float] | None = None
    after_stall: Callable[[dict], float | None] | None = None
    sgd_only: bool = False
    skmlp_only: bool = False


def _start_at(settings, **numbers):
    return {"rate": float(settings.learning_rate_init), **numbers}


def _invscaling(state, t):
    return state["learning_rate_init"] / (t + 1) ** state["power_t"]


def _adaptive_stall(state):
    return state["rate"] / 5.0 if state["rate"] > 1e-6 else None


def _cosine(state, t):
    # eta_e = eta_0 (1 + cos(pi e / max_iter)) / 2, e counting finished epochs
    state["epoch"] += 1
    e = min(state["epoch"], state["max_iter"] - 1)
    return (
        state["learning_rate_init"]
        * (1 + math.cos(math.pi * e / state["max_iter"]))
        / 2
    )


SCHEDULES = {
    "constant": ScheduleRecord(
        _start_at,
        "eta = learning_rate_init for every epoch.",
        sgd_only=True,
    ),
    "invscaling": ScheduleRecord(
        lambda s: _start_at(
            s, learning_rate_init=s.learning_rate_init, power_t=s.power_t
        ),
        "eta = learning_rate_init / (t + 1) ** power_t, recomputed after "
        "every epoch, t being the number of samples seen so far.",
        after_epoch=_invscaling,
        sgd_only=True,
    ),
    "adaptive": ScheduleRecord(
        _start_at,
        "eta = learning_rate_init until the score stalls for n_iter_no_change "
        "epochs, then divided by 5 each time; training stops once eta would "
        "fall below 1e-6.",
        after_stall=_adaptive_stall,
        sgd_only=True,
    ),
    "cosine": ScheduleRecord(
        lambda s: _start_at(
            s, learning_rate_init=s.learning_rate_init, max_iter=s.max_iter, epoch=0
        ),
        "eta_e = learning_rate_init * (1 + cos(pi * e / max_iter)) / 2 in "
        "epoch e = 0 .. max_iter - 1, for sgd and adam alike; partial_fit "
        "counts its calls as epochs and holds the last value after max_iter.",
        after_epoch=_cosine,
        skmlp_only=True,
    ),
}


def start_schedule(name, solver, settings):
    """Return the first state of ``learning_rate=name`` for ``solver``.

    scikit-learn's Adam ignores ``learning_rate`` and keeps learning_rate_init
    throughout; skmlp's does too, except for its own schedules. The state
    names its record under "name".
    """
    if SCHEDULES[name].sgd_only and solver != "sgd":
        name = "constant"
    return {"name": name, **SCHEDULES[name].start(settings)}
