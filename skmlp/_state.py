"""The training state as plain data, and the one way to go back to an earlier one.

A ``TrainingState`` is everything training has reached: the flat parameter
vector, the update rule (optimiser and schedule state, plain dicts), the
number of samples seen, the best values early stopping and ``tol`` compare
against, and this call's curves. Solvers move it forward; ``checkpoint()``
and ``restore()`` take it back, for a diverged epoch, an interruption or the
best validation epoch; the estimator sets its fitted attributes from it, and
callbacks are shown models built from copies of it.
"""

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ._arrays import array_ops


@dataclass
class TrainingState:
    """Where training stands; the curves hold the current call's entries only.

    The estimator appends the curves to its own when the call succeeds, so a
    long stream of ``partial_fit`` calls never copies what came before.
    ``update`` is None for L-BFGS, whose state scipy keeps.
    """

    params: object
    update: object = None
    t: int = 0
    n_iter: int = 0
    loss: float = math.nan
    best_loss: float | None = math.inf
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    loss_curve: list = field(default_factory=list)
    validation_scores: list | None = None
    validation_losses: list | None = None

    def checkpoint(self):
        """Return a frozen copy of the state to ``restore`` later."""
        params = array_ops(self.params).copy(self.params)
        update = None if self.update is None else self.update.copy()
        scores, losses = self.validation_scores, self.validation_losses
        lengths = (
            len(self.loss_curve),
            None if scores is None else len(scores),
            None if losses is None else len(losses),
        )
        return Checkpoint(
            params,
            update,
            self.t,
            self.n_iter,
            self.loss,
            self.best_loss,
            self.best_validation_score,
            self.no_improvement_count,
            lengths,
        )

    def restore(self, checkpoint):
        """Go back to ``checkpoint``: parameters, update rule, scalars and curves."""
        array_ops(self.params).copyto(self.params, checkpoint.params)
        self.update = None if checkpoint.update is None else checkpoint.update.copy()
        self.t, self.n_iter, self.loss = checkpoint.t, checkpoint.epoch, checkpoint.loss
        self.best_loss = checkpoint.best_loss
        self.best_validation_score = checkpoint.best_validation_score
        self.no_improvement_count = checkpoint.no_improvement_count
        curves = (self.loss_curve, self.validation_scores, self.validation_losses)
        for curve, length in zip(curves, checkpoint.lengths, strict=True):
            if curve is not None:
                del curve[length:]

    def take_weights(self, checkpoint):
        """Go back to the parameters and update rule of ``checkpoint`` and its loss.

        The curves, the samples seen and the best values stay as they are:
        they tell what training went through, not what it kept.
        """
        array_ops(self.params).copyto(self.params, checkpoint.params)
        self.update = None if checkpoint.update is None else checkpoint.update.copy()
        self.loss = checkpoint.loss

    def copy(self):
        """Return an independent copy: arrays, update rule and curves."""
        checkpoint = self.checkpoint()
        scores, losses = self.validation_scores, self.validation_losses
        return replace(
            self,
            params=checkpoint.params,
            update=checkpoint.update,
            loss_curve=list(self.loss_curve),
            validation_scores=None if scores is None else list(scores),
            validation_losses=None if losses is None else list(losses),
        )


class Checkpoint(NamedTuple):
    """A TrainingState as it stood: copies of its arrays, its scalars, curve lengths.

    ``epoch`` is the state's ``n_iter``: the epochs this call had finished.
    """

    params: object
    update: object
    t: int
    epoch: int
    loss: float
    best_loss: float | None
    best_validation_score: float | None
    no_improvement_count: int
    lengths: tuple
