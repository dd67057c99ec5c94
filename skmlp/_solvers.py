"""Training loops: mini-batch epochs for SGD and Adam, and L-BFGS via scipy.

A solver takes a parameter vector it may overwrite, an ``Objective`` and the
data, and returns a ``TrainingResult``. It never touches an estimator.

What a solver returns can always be used:

- training stops at the first epoch whose loss or parameters are not finite,
  and goes back to the epoch with the lowest training loss (with early
  stopping: the best validation score), warning which epochs those were;
- an interruption (Ctrl-C) goes back to the end of the last finished epoch:
  parameters, optimiser state and history alike;
- the parameters returned give finite outputs on the training data. When no
  epoch gave such parameters, ``NoFiniteEpoch`` is raised instead.
"""

import warnings
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._arrays import array_ops
from ._network import largest_magnitude
from ._objective import Batch


class NoFiniteEpoch(ValueError):  # noqa: N818 (reads as what happened)
    """Training found no parameters with a finite loss and finite outputs."""

    def __init__(self):
        # scikit-learn's MLP raises this message for the same situation.
        super().__init__(
            "Solver produced non-finite parameter weights. The input data may "
            "contain large values and need to be preprocessed."
        )


@dataclass
class History:
    """What stochastic training remembers from one epoch and call to the next.

    The curves hold the epochs of the current call only; the estimator appends
    them to its own, so a long stream of ``partial_fit`` calls never copies
    what came before.
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list | None = None
    validation_losses: list | None = None
    best_loss: float | None = np.inf
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    t: int = 0

    @classmethod
    def start(cls, early_stopping):
        """Return the history of a model that has not been trained yet."""
        if early_stopping:
            return cls(
                validation_scores=[],
                validation_losses=[],
                best_loss=None,
                best_validation_score=-np.inf,
            )
        return cls()

    def mark(self):
        """Return what ``roll_back`` needs to come back to this point."""
        return (
            len(self.loss_curve),
            self.best_loss,
            self.best_validation_score,
            self.no_improvement_count,
            self.t,
        )

    def roll_back(self, mark):
        """Return to the state of ``mark``, forgetting the epochs recorded since."""
        n_epochs, *scalars = mark
        for curve in (self.loss_curve, self.validation_scores, self.validation_losses):
            if curve is not None:
                del curve[n_epochs:]
        (
            self.best_loss,
            self.best_validation_score,
            self.no_improvement_count,
            self.t,
        ) = scalars


@dataclass(frozen=True)
class StochasticSettings:
    """How the epochs run.

    ``monitor``, set for early stopping, has ``measure(params)`` returning the
    (score, data loss) of the parameters on the validation set, higher scores
    being better, and ``scoring`` naming the score in messages. ``tasks`` hears
    of every epoch (``begin_epoch``, ``end_epoch(params)``), for callbacks.
    """

    max_iter: int
    batch_size: int
    shuffle: bool
    tol: float
    n_iter_no_change: float
    verbose: bool
    incremental: bool
    random_state: np.random.RandomState
    monitor: object = None
    tasks: object = None


@dataclass
class TrainingResult:
    """Final parameters and what the solver learned on the way."""

    params: np.ndarray
    n_iter: int
    loss: float
    history: History | None = None
    update: object = None


def _epoch_batches(data, batch_size, order, buffers):
    """Yield the batches of one epoch; shuffled ones reuse ``buffers``."""
    n_samples, take_rows = data.Y.shape[0], array_ops(data.Y).take_rows
    for start in range(0, n_samples, batch_size):
        rows = slice(start, min(start + batch_size, n_samples))
        if order is None:
            yield Batch(*(None if part is None else part[rows, ...] for part in data))
        else:
            yield Batch(
                *(
                    None if part is None else take_rows(part, order[rows], buffer)
                    for part, buffer in zip(data, buffers, strict=True)
                )
            )


def _batch_buffer(part, batch_size):
    """Return a reusable buffer for ``batch_size`` rows of ``part``, or None."""
    if part is None or sp.issparse(part):
        return None
    shape = (batch_size, *part.shape[1:])
    return array_ops(part).empty(shape, part.dtype, like=part)


def _run_epoch(params, grads, objective, update, batches):
    """Return the epoch's mean batch loss, a Python float.

    Batches whose sample weights sum to zero are skipped; the training data as
    a whole has a positive weight sum, so at least one batch counts. The batch
    losses add up where they are computed (on the device, for arrays that live
    on one), so the epoch reads back one number. A non-finite batch loss makes
    the epoch's loss non-finite, and the solver goes back on the whole epoch;
    so does a gradient whose norm overflows when ``max_grad_norm`` clips it.
    """
    total, n_seen = 0.0, 0
    for batch in batches:
        batch_loss = objective.loss_and_gradients(params, batch, grads)
        if batch_loss is None:
            continue
        if update.max_grad_norm is not None and not np.isfinite(float(grads @ grads)):
            return np.nan  # clipping would scale an overflowing gradient to 0
        update.step(params, grads)
        n_rows = batch.Y.shape[0]
        total = total + batch_loss * n_rows
        n_seen += n_rows
    return float(total / n_seen)


def _update_progress(history, params, settings):
    """Record the epoch's score, count stalled epochs; return whether it is best.

    An epoch whose score is NaN counts as stalled and is never the best.
    """
    improved = False
    if settings.monitor is None:
        loss = history.loss_curve[-1]
        stalled = not loss <= history.best_loss - settings.tol
        history.best_loss = min(loss, history.best_loss)
    else:
        score, validation_loss = settings.monitor.measure(params)
        history.validation_scores.append(score)
        history.validation_losses.append(validation_loss)
        if settings.verbose:
            print(f"Validation score: {score:f}")
        stalled = not score >= history.best_validation_score + settings.tol
        if score > history.best_validation_score:
            history.best_validation_score = score
            improved = True
    history.no_improvement_count = history.no_improvement_count + 1 if stalled else 0
    return improved


def _stalled_message(settings):
    watched = "Training loss" if settings.monitor is None else "Validation score"
    return (
        f"{watched} did not improve more than tol={settings.tol:f} for "
        f"{settings.n_iter_no_change} consecutive epochs."
    )


def _keep_going_after_stall(schedule, settings):
    """Return whether training goes on after ``n_iter_no_change`` stalled epochs."""
    message = _stalled_message(settings)
    if schedule.reduce():
        if settings.verbose:
            print(f"{message} Setting learning rate to {schedule.rate:f}")
        return True
    if settings.verbose:
        print(f"{message} Stopping.")
    return False


def _diverged(iteration):
    return (
        f"Training diverged at iteration {iteration}: the loss or the weights "
        "became non-finite (NaN or inf)."
    )


def _warn_kept(problem, kept):
    """Warn that training went wrong as ``problem`` says, and which weights it kept."""
    warnings.warn(
        f"{problem} Training stopped and kept the weights of {kept}. Try a "
        "smaller learning_rate_init, or scale the input data.",
        ConvergenceWarning,
        stacklevel=5,
    )


class _BatchSource:
    """The batches of each epoch, shuffled the way scikit-learn shuffles them."""

    def __init__(self, data, settings):
        self.data, self.settings = data, settings
        self.order = np.arange(data.Y.shape[0])
        shuffle, batch_size = settings.shuffle, settings.batch_size
        self.buffers = None
        if shuffle:
            self.buffers = Batch(*(_batch_buffer(part, batch_size) for part in data))

    def next_epoch(self):
        """Return the batches of the next epoch.

        The order is drawn with numpy, then moved to the data's device.
        """
        if not self.settings.shuffle:
            return _epoch_batches(self.data, self.settings.batch_size, None, None)
        # scikit-learn permutes the previous epoch's order, not a fresh range.
        self.order = self.order[self.settings.random_state.permutation(len(self.order))]
        order = array_ops(self.data.Y).move(self.order, like=self.data.Y)
        return _epoch_batches(self.data, self.settings.batch_size, order, self.buffers)


def _record_epoch(history, loss, n_samples, settings):
    """Append an epoch's loss to the history, counting the samples seen."""
    history.t += n_samples
    history.loss_curve.append(loss)
    if settings.verbose:
        print(f"Iteration {len(history.loss_curve)}, loss = {loss:.8f}")


def _should_stop(history, schedule, settings, n_iter):
    """Return whether training ends after this epoch, warning at max_iter."""
    if history.no_improvement_count > settings.n_iter_no_change:
        if not _keep_going_after_stall(schedule, settings):
            return True
        history.no_improvement_count = 0
    if settings.incremental:
        return True
    if n_iter == settings.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=5,
        )
    return False


@dataclass(frozen=True)
class _Checkpoint:
    """Parameters, optimiser state and history as they stood after an epoch."""

    epoch: int
    loss: float
    params: np.ndarray
    update: object
    history_mark: tuple | None = None


class _Kept(NamedTuple):
    """The checkpoints a run can go back to; replaced whole, never edited."""

    last: _Checkpoint
    lowest_loss: _Checkpoint | None
    best_score: _Checkpoint | None


class _StochasticRun:
    """One call's epochs, with the checkpoints that keep its result usable."""

    def __init__(self, params, objective, update, data, settings, history):
        self.params, self.objective, self.update = params, objective, update
        self.data, self.settings, self.history = data, settings, history
        self.xp = array_ops(params)
        self.grads = self.xp.empty(params.shape, params.dtype, like=params)
        self.source = _BatchSource(data, settings)
        start = self._checkpoint(0, np.nan)
        # Continuing early stopping keeps the best weights so far, which are
        # the starting ones, until an epoch scores better (as scikit-learn).
        continued_best = settings.monitor and history.best_validation_score > -np.inf
        self.kept = _Kept(start, None, start if continued_best else None)

    def _checkpoint(self, epoch, loss):
        params, update = self.xp.copy(self.params), self.update.copy()
        return _Checkpoint(epoch, loss, params, update, self.history.mark())

    def train(self):
        """Run the epochs; return the epoch whose loss diverged, or None."""
        tasks = self.settings.tasks
        for epoch in range(1, self.settings.max_iter + 1):
            tasks.begin_epoch()
            batches = self.source.next_epoch()
            loss = _run_epoch(
                self.params, self.grads, self.objective, self.update, batches
            )
            if not (np.isfinite(loss) and self.xp.all_finite(self.params)):
                return epoch
            _record_epoch(self.history, loss, self.data.Y.shape[0], self.settings)
            improved = _update_progress(self.history, self.params, self.settings)
            self.update.schedule.end_epoch(self.history.t)
            self.kept = self._kept_after(epoch, loss, improved)
            tasks.end_epoch(self.params)
            schedule = self.update.schedule
            if _should_stop(self.history, schedule, self.settings, epoch):
                return None
        return None

    def _kept_after(self, epoch, loss, improved):
        checkpoint = self._checkpoint(epoch, loss)
        lowest = self.kept.lowest_loss
        if lowest is None or loss < lowest.loss:
            lowest = checkpoint
        best = checkpoint if improved else self.kept.best_score
        return _Kept(checkpoint, lowest, best)

    def go_back_to_last_epoch(self):
        """Undo the unfinished epoch an interruption cut short."""
        last = self.kept.last
        if last.epoch == 0:
            raise KeyboardInterrupt  # nothing finished: the caller undoes the call
        warnings.warn("Training interrupted by user.", stacklevel=4)
        self.xp.copyto(self.params, last.params)
        self.update = last.update
        self.history.roll_back(last.history_mark)

    def result(self, diverged_at):
        """Return the TrainingResult: the preferred usable parameters."""
        n_iter = len(self.history.loss_curve)
        last_loss = self.history.loss_curve[-1] if n_iter else np.nan
        current = _Checkpoint(n_iter, last_loss, self.params, self.update)
        monitor = self.settings.monitor
        candidates = self._candidates(diverged_at, current)
        x_max = largest_magnitude(self.data.X)
        kept, reason = next(
            (
                (kept, reason)
                for kept, reason in candidates
                if self.objective.predicts_finite(kept.params, self.data.X, x_max)
                # the validation rows are training data too (split off or given)
                and (
                    monitor is None
                    or self.objective.predicts_finite(kept.params, monitor.X)
                )
            ),
            (None, None),
        )
        if kept is None:
            raise NoFiniteEpoch
        if diverged_at is None and monitor and self.kept.best_score is None:
            _warn_no_finite_score(monitor)
        if diverged_at is not None:
            _warn_kept(_diverged(diverged_at), f"iteration {kept.epoch}, {reason}")
        elif kept is not candidates[0][0]:
            problem = f"The weights of iteration {n_iter} give non-finite outputs."
            _warn_kept(problem, f"iteration {kept.epoch}, {reason}")
        params, update = kept.params, kept.update
        return TrainingResult(params, n_iter, kept.loss, self.history, update)

    def _candidates(self, diverged_at, current):
        """Return (checkpoint, why it is chosen) to fall back on, best first."""
        monitor = self.settings.monitor
        best, lowest = self.kept.best_score, self.kept.lowest_loss
        fallback = [] if lowest is None else [(lowest, "the lowest training loss")]
        if diverged_at is not None:
            return ([] if best is None else [(best, _BEST_SCORE)]) + fallback
        if monitor is None or best is None:
            return [(current, "the last one"), *fallback]
        # Early stopping's choice; its loss is still the last epoch's (as sklearn).
        return [(replace(best, loss=current.loss), _BEST_SCORE), *fallback]


_BEST_SCORE = "the best validation score"


def _warn_no_finite_score(monitor):
    warnings.warn(
        f"The validation score of early stopping (scoring={monitor.scoring!r}) "
        "was not finite in any epoch, so it could not choose one: the weights "
        "of the last epoch were kept. Check that the scorer suits the "
        "validation set (all classes present, the right kind of target).",
        ConvergenceWarning,
        stacklevel=5,
    )


def run_stochastic(params, objective, update, data, settings, history):
    """Train ``params`` in place with mini-batch epochs; return a TrainingResult.

    ``history`` (scalars and this call's empty curves) is updated in place.
    """
    run = _StochasticRun(params, objective, update, data, settings, history)
    # Overflow is caught as a non-finite loss or weight, not as a warning.
    with np.errstate(all="ignore"):
        try:
            diverged_at = run.train()
        except KeyboardInterrupt:
            run.go_back_to_last_epoch()
            diverged_at = None
        return run.result(diverged_at)


class FullBatchSolver(NamedTuple):
    """A ``solver`` option that is not a stochastic optimiser, and its docs."""

    description: str


LBFGS = FullBatchSolver(
    "scipy's L-BFGS-B, a quasi-Newton method that estimates the curvature "
    "from recent gradients; every iteration uses the whole training set."
)


@dataclass(frozen=True)
class LbfgsSettings:
    """Stopping rules passed on to scipy's L-BFGS-B; ``tasks`` as for epochs."""

    max_iter: int
    max_fun: int
    tol: float
    verbose: bool
    tasks: object = None


class _TrackedObjective:
    """J(x) and dJ/dx for scipy, remembering the best finite point it saw.

    scipy works on a float64 numpy vector x on the host; the parameters keep
    X's dtype, library and device. Every evaluation copies x there and the
    gradient back.
    """

    def __init__(self, objective, data, params, settings):
        self.objective, self.data = objective, data
        self.verbose, self.tasks = settings.verbose, settings.tasks
        self.xp = array_ops(params)
        self.params = params
        self.grads = self.xp.empty(params.shape, params.dtype, like=params)
        self.best_loss, self.best_params = np.inf, self.xp.copy(params)
        self.loss_curve = []

    def as_params(self, x):
        """Return scipy's float64 x in the dtype, library and device of params."""
        dtype = self.xp.numpy_dtype(self.params.dtype)
        return self.xp.move(x.astype(dtype, copy=False), like=self.params)

    def __call__(self, x):
        self.params[...] = self.as_params(x)
        loss = self.objective.loss_and_gradients(self.params, self.data, self.grads)
        loss = float(loss)
        if np.isfinite(loss) and loss < self.best_loss:
            self.best_loss = loss
            self.xp.copyto(self.best_params, self.params)
        return loss, self.xp.to_numpy(self.grads).astype(np.float64)

    def record(self, intermediate_result):
        """Append an iteration's loss to the curve (scipy's callback)."""
        self.loss_curve.append(float(intermediate_result.fun))
        if self.verbose:
            print(f"Iteration {len(self.loss_curve)}, loss = {self.loss_curve[-1]:.8f}")
        self.tasks.end_epoch(self.as_params(intermediate_result.x))
        self.tasks.begin_epoch()

    def best_result(self, n_iter):
        """Return the TrainingResult of the lowest finite loss seen."""
        history = History(self.loss_curve)
        return TrainingResult(self.best_params, n_iter, self.best_loss, history)

    def is_usable(self, params, loss):
        """Return whether ``loss`` is finite and params give finite outputs."""
        X = self.data.X
        return np.isfinite(loss) and self.objective.predicts_finite(params, X)


def _minimize(tracked, params, settings):
    """Return scipy's OptimizeResult of L-BFGS-B from ``params``."""
    return scipy.optimize.minimize(
        tracked,
        tracked.xp.to_numpy(params).astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=tracked.record,
        options={
            "maxfun": settings.max_fun,
            "maxiter": settings.max_iter,
            "gtol": settings.tol,
        },
    )


def run_lbfgs(params, objective, data, settings):
    """Minimise J over ``params`` with L-BFGS-B on the full batch."""
    tracked = _TrackedObjective(objective, data, params, settings)
    settings.tasks.begin_epoch()
    with np.errstate(all="ignore"):
        try:
            result = _minimize(tracked, params, settings)
        except KeyboardInterrupt:
            if not tracked.loss_curve:
                raise  # nothing finished: the caller undoes the call
            warnings.warn("Training interrupted by user.", stacklevel=3)
            return tracked.best_result(len(tracked.loss_curve))
        final = tracked.as_params(result.x)
        if tracked.is_usable(final, result.fun):
            _warn_unless_converged(result)
            n_iter = min(result.nit, settings.max_iter)
            history = History(tracked.loss_curve)
            return TrainingResult(final, n_iter, float(result.fun), history)
        if not tracked.is_usable(tracked.best_params, tracked.best_loss):
            raise NoFiniteEpoch
    _warn_kept(_diverged(result.nit), "the lowest loss it evaluated")
    return tracked.best_result(result.nit)


def _warn_unless_converged(result):
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase the number of "
            "iterations (max_iter) or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
