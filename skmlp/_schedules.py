"""Learning-rate schedules: the step size eta of every epoch, beside the optimisers.

An optimiser decides the direction of a step; a schedule decides its size.
Every schedule has the same small protocol (``Schedule``):

- ``rate``: the step size eta to use for the coming batches;
- ``end_epoch(t)``: called after every epoch, ``t`` counting the samples seen
  so far (``t_``), where the schedule moves on;
- ``reduce()``: called when training stalls for ``n_iter_no_change`` epochs;
  returns whether training may go on (with a smaller rate) or should stop.

``SCHEDULES`` is the one list of them: the ``learning_rate`` parameter's
options, its documentation and the tests all come from it.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol


class Schedule(Protocol):
    """What a learning-rate schedule offers the solver."""

    rate: float

    def end_epoch(self, t):
        """Move on after an epoch; ``t`` counts the samples seen so far."""

    def reduce(self):
        """Return whether training may go on, with a smaller rate, after a stall."""


class ScheduleSettings(NamedTuple):
    """The estimator parameters a schedule may read."""

    learning_rate_init: float
    power_t: float
    max_iter: int


class Constant:
    """eta = learning_rate_init throughout."""

    def __init__(self, learning_rate_init):
        self.rate = float(learning_rate_init)

    def end_epoch(self, t):
        """Keep the rate."""

    def reduce(self):
        """Return False: a constant rate has nothing to fall back on."""
        return False


def schedule_state(schedule):
    """Return a schedule as plain values: its kind and its numbers."""
    return {"kind": type(schedule).__name__, **vars(schedule)}


def schedule_from_state(state):
    """Return the schedule that ``schedule_state`` described."""
    state = dict(state)
    kind = {cls.__name__: cls for cls in (Constant, InvScaling, Adaptive, Cosine)}
    schedule = object.__new__(kind[state.pop("kind")])
    vars(schedule).update(state)
    return schedule


class InvScaling(Constant):
    """eta = learning_rate_init / (t + 1) ** power_t, t counting samples seen."""

    def __init__(self, learning_rate_init, power_t):
        super().__init__(learning_rate_init)
        self.learning_rate_init, self.power_t = learning_rate_init, power_t

    def end_epoch(self, t):
        """Shrink the rate with the number of samples seen."""
        self.rate = self.learning_rate_init / (t + 1) ** self.power_t


class Adaptive(Constant):
    """eta = learning_rate_init, divided by 5 each time training stalls."""

    def reduce(self):
        """Divide the rate by 5; return False once it is at most 1e-6."""
        if self.rate <= 1e-6:
            return False
        self.rate /= 5.0
        return True


class Cosine(Constant):
    """eta_e = learning_rate_init * (1 + cos(pi * e / max_iter)) / 2 in epoch e.

    Epochs count from 0; after ``max_iter`` epochs (possible with
    ``partial_fit``, which counts its calls as epochs) the last value holds.
    """

    def __init__(self, learning_rate_init, max_iter):
        super().__init__(learning_rate_init)
        self.learning_rate_init, self.max_iter = learning_rate_init, max_iter
        self.epoch = 0

    def end_epoch(self, t):
        """Move on to the rate of the next epoch."""
        self.epoch += 1
        e = min(self.epoch, self.max_iter - 1)
        self.rate = (
            self.learning_rate_init * (1 + math.cos(math.pi * e / self.max_iter)) / 2
        )


@dataclass(frozen=True)
class ScheduleEntry:
    """A ``learning_rate`` option: how to build it and what it does.

    ``sgd_only`` marks scikit-learn's own schedules, which its Adam ignores;
    skmlp keeps that meaning so that every scikit-learn setting gives
    scikit-learn's results.
    """

    build: object
    description: str
    sgd_only: bool = False
    skmlp_only: bool = False


SCHEDULES = {
    "constant": ScheduleEntry(
        lambda s: Constant(s.learning_rate_init),
        "eta = learning_rate_init for every epoch.",
        sgd_only=True,
    ),
    "invscaling": ScheduleEntry(
        lambda s: InvScaling(s.learning_rate_init, s.power_t),
        "eta = learning_rate_init / (t + 1) ** power_t, recomputed after "
        "every epoch, t being the number of samples seen so far.",
        sgd_only=True,
    ),
    "adaptive": ScheduleEntry(
        lambda s: Adaptive(s.learning_rate_init),
        "eta = learning_rate_init until the score stalls for n_iter_no_change "
        "epochs, then divided by 5 each time; training stops once eta would "
        "fall below 1e-6.",
        sgd_only=True,
    ),
    "cosine": ScheduleEntry(
        lambda s: Cosine(s.learning_rate_init, s.max_iter),
        "eta_e = learning_rate_init * (1 + cos(pi * e / max_iter)) / 2 in "
        "epoch e = 0 .. max_iter - 1, for sgd and adam alike; partial_fit "
        "counts its calls as epochs and holds the last value after max_iter.",
        skmlp_only=True,
    ),
}


def schedule_for(name, solver, settings):
    """Return the schedule of ``learning_rate=name`` for ``solver``.

    scikit-learn's Adam ignores ``learning_rate`` and keeps learning_rate_init
    throughout; skmlp's does too, except for its own schedules.
    """
    entry = SCHEDULES[name]
    if entry.sgd_only and solver != "sgd":
        return Constant(settings.learning_rate_init)
    return entry.build(settings)
