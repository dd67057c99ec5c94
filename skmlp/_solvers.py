"""Training loops: mini-batch epochs for SGD and Adam, and L-BFGS via scipy.

``SOLVERS`` is the one list of the ``solver`` options: the stochastic
optimisers of ``_optimizers``, run by ``run_stochastic``, and L-BFGS, run by
``run_lbfgs``. A solver takes a ``TrainingState`` (see ``_state``), an
``Objective``, the data and the call's ``Plan``, and moves the state forward.
It never touches an estimator.

What a solver leaves in the state can always be used:

- training stops at the first epoch whose loss or parameters are not finite,
  and goes back to the epoch with the lowest training loss (with early
  stopping: the best validation score), warning which epochs those were;
- an interruption (Ctrl-C) goes back to the end of the last finished epoch:
  parameters, optimiser state and curves alike;
- the parameters kept give finite outputs on the training data and on early
  stopping's validation data. When no epoch gave such parameters,
  ``NoFiniteEpoch`` is raised instead.
"""

import math
import warnings
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._network import largest_magnitude
from ._objective import Batch
from ._optimizers import OPTIMIZERS


class NoFiniteEpoch(ValueError):  # noqa: N818 (reads as what happened)
    """Training found no parameters with a finite loss and finite outputs."""

    def __init__(self):
        # scikit-learn's MLP raises this message for the same situation.
        super().__init__(
            "Solver produced non-finite parameter weights. The input data may "
            "contain large values and need to be preprocessed."
        )


class Observers(NamedTuple):
    """Who watches the epochs: early stopping's monitor and the callbacks' tasks.

    ``monitor`` (None without early stopping) has ``measure(params)``
    returning the (score, data loss) of the parameters on the validation set,
    higher scores being better, ``scoring`` naming the score and ``X`` the
    validation rows. ``tasks`` (None when no callback listens) hears of every
    epoch (``begin_epoch``, and ``end_epoch(state)``, which returns whether a
    callback asked training to stop).
    """

    monitor: object
    tasks: object


def _run_epoch(state, grads, objective, batches):
    """Return the epoch's mean batch loss, a Python float.

    Batches whose sample weights sum to zero are skipped; the training data as
    a whole has a positive weight sum, so at least one batch counts. The batch
    losses add up where they are computed (on the device, for arrays that live
    on one), so the epoch reads back one number. A non-finite batch loss makes
    the epoch's loss non-finite, and the solver goes back on the whole epoch.
    """
    total, n_seen, params, update = 0.0, 0, state.params, state.update
    for batch in batches:
        batch_loss = objective.loss_and_gradients(params, batch, grads)
        if batch_loss is None:
            continue
        update.step(params, grads)
        n_rows = batch.Y.shape[0]
        total = total + batch_loss * n_rows
        n_seen += n_rows
    return float(total / n_seen)


def _record_epoch(state, loss, n_samples, plan, monitor):
    """Record a finished epoch in the state; return whether its score is the best.

    The state counts the samples seen and the epochs in a row that did not
    improve by ``tol``; an epoch whose score is NaN counts as stalled and is
    never the best.
    """
    state.t += n_samples
    state.n_iter += 1
    state.loss = loss
    state.loss_curve.append(loss)
    if plan.verbose:
        print(f"Iteration {len(state.loss_curve)}, loss = {loss:.8f}")
    improved = False
    if monitor is None:
        stalled = not loss <= state.best_loss - plan.tol
        state.best_loss = min(loss, state.best_loss)
    else:
        score, validation_loss = monitor.measure(state.params)
        state.validation_scores.append(score)
        state.validation_losses.append(validation_loss)
        if plan.verbose:
            print(f"Validation score: {score:f}")
        stalled = not score >= state.best_validation_score + plan.tol
        if score > state.best_validation_score:
            state.best_validation_score = score
            improved = True
    state.no_improvement_count = state.no_improvement_count + 1 if stalled else 0
    return improved


def _should_stop(state, plan, monitor):
    """Return whether training ends after this epoch, warning at max_iter."""
    if state.no_improvement_count > plan.n_iter_no_change:
        watched = "Training loss" if monitor is None else "Validation score"
        message = (
            f"{watched} did not improve more than tol={plan.tol:f} for "
            f"{plan.n_iter_no_change} consecutive epochs."
        )
        if not state.update.reduce_after_stall():
            if plan.verbose:
                print(f"{message} Stopping.")
            return True
        if plan.verbose:
            print(f"{message} Setting learning rate to {state.update.learning_rate:f}")
        state.no_improvement_count = 0
    if plan.incremental:
        return True
    if state.n_iter == plan.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({plan.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=5,
        )
    return False


def _warn_kept(problem, kept):
    """Warn that training went wrong as ``problem`` says, and which weights it kept."""
    warnings.warn(
        f"{problem} Training stopped and kept the weights of {kept}. Try a "
        "smaller learning_rate_init, or scale the input data.",
        ConvergenceWarning,
        stacklevel=5,
    )


def _diverged(iteration):
    return (
        f"Training diverged at iteration {iteration}: the loss or the weights "
        "became non-finite (NaN or inf)."
    )


class _Kept(NamedTuple):
    """The checkpoints a run can go back to; replaced whole, never edited."""

    last: object
    lowest_loss: object
    best_score: object


_BEST_SCORE = "the best validation score"


class _StochasticRun:
    """One call's epochs, with the checkpoints that keep its result usable."""

    def __init__(self, state, objective, data, plan, observers):
        self.state, self.objective, self.data = state, objective, data
        self.plan, self.monitor, self.tasks = plan, *observers
        params, ops = state.params, plan.ops
        self.grads = ops.empty(params.shape, params.dtype, like=params)
        # Shuffled batches are gathered into buffers of batch_size rows (none
        # for a sparse or absent part), in an order every epoch permutes.
        self.order, self.buffers = np.arange(data.Y.shape[0]), None
        if plan.shuffle:
            buffers = []
            for part in data:
                buffer = None
                if part is not None and not sp.issparse(part):
                    shape = (plan.batch_size, *part.shape[1:])
                    # In X's dtype: boolean targets are gathered as floats.
                    buffer = ops.empty(shape, data.X.dtype, like=part)
                buffers.append(buffer)
            self.buffers = Batch(*buffers)
        start = state.checkpoint()
        # Continuing early stopping keeps the best weights so far, which are
        # the starting ones, until an epoch scores better (as scikit-learn).
        continued = self.monitor and state.best_validation_score > -np.inf
        self.kept = _Kept(start, None, start if continued else None)

    def _batches(self):
        """Yield the batches of the next epoch; shuffled ones reuse the buffers."""
        (X, Y, weights), plan = self.data, self.plan
        n_samples, size, ops = Y.shape[0], plan.batch_size, plan.ops
        if plan.shuffle:
            # scikit-learn permutes the previous epoch's order, not a fresh
            # range: it shuffles a range and takes the order in it, the same
            # draw as shuffling the order in place. It is drawn with numpy.
            plan.random_state.shuffle(self.order)
            order, buffers = ops.move(self.order, like=Y), self.buffers
        for start in range(0, n_samples, size):
            rows = slice(start, min(start + size, n_samples))
            if not plan.shuffle:
                weight = None if weights is None else weights[rows, ...]
                yield Batch(X[rows, ...], Y[rows, ...], weight)
                continue
            rows = order[rows]
            yield Batch(
                ops.take_rows(X, rows, buffers.X),
                ops.take_rows(Y, rows, buffers.Y),
                None
                if weights is None
                else ops.take_rows(weights, rows, buffers.sample_weight),
            )

    def train(self):
        """Run the epochs; return the epoch whose loss diverged, or None."""
        state, plan, n_samples = self.state, self.plan, self.data.Y.shape[0]
        for epoch in range(1, plan.max_iter + 1):
            if self.tasks:
                self.tasks.begin_epoch()
            loss = _run_epoch(state, self.grads, self.objective, self._batches())
            if not (math.isfinite(loss) and plan.ops.all_finite(state.params)):
                return epoch
            improved = _record_epoch(state, loss, n_samples, plan, self.monitor)
            state.update.end_epoch(state.t)
            # Keep this epoch, and it as the lowest loss or best score if it is.
            checkpoint, lowest = state.checkpoint(), self.kept.lowest_loss
            if lowest is None or checkpoint.loss < lowest.loss:
                lowest = checkpoint
            best = checkpoint if improved else self.kept.best_score
            self.kept = _Kept(checkpoint, lowest, best)
            stop_asked = self.tasks.end_epoch(state) if self.tasks else False
            if stop_asked or _should_stop(state, plan, self.monitor):
                return None
        return None

    def go_back_to_last_epoch(self):
        """Undo the unfinished epoch an interruption cut short."""
        last = self.kept.last
        if last.epoch == 0:
            raise KeyboardInterrupt  # nothing finished: the caller undoes the call
        warnings.warn("Training interrupted by user.", stacklevel=4)
        self.state.restore(last)

    def keep_usable(self, diverged_at):
        """Leave the preferred usable weights in the state, warning if not the last."""
        usable = self._first_usable(diverged_at)
        if usable is None:
            raise NoFiniteEpoch
        if diverged_at is None and self.monitor and self.kept.best_score is None:
            _warn_no_finite_score(self.monitor)
        checkpoint, reason = usable
        if checkpoint is None:
            return
        last_loss = self.state.loss
        self.state.take_weights(checkpoint)
        if reason == _BEST_SCORE and diverged_at is None:
            self.state.loss = last_loss  # early stopping reports the last epoch's
            return
        kept = f"iteration {checkpoint.epoch}, {reason}"
        if diverged_at is not None:
            _warn_kept(_diverged(diverged_at), kept)
        else:
            problem = (
                f"The weights of iteration {self.state.n_iter} give non-finite outputs."
            )
            _warn_kept(problem, kept)

    def _first_usable(self, diverged_at):
        """Return the preferred (checkpoint, why) whose outputs are finite, or None.

        The candidates, best first: the best validation score, or the last
        epoch (None, the current state) when it did not diverge and early
        stopping chose no other; then the lowest training loss. Outputs are
        checked on the training rows and on early stopping's validation rows.
        """
        best, lowest = self.kept.best_score, self.kept.lowest_loss
        candidates = [] if lowest is None else [(lowest, "the lowest training loss")]
        if diverged_at is None and (self.monitor is None or best is None):
            candidates.insert(0, (None, "the last one"))
        elif best is not None:
            candidates.insert(0, (best, _BEST_SCORE))
        inputs = [(self.data.X, largest_magnitude(self.data.X))]
        if self.monitor is not None:
            inputs.append((self.monitor.X, largest_magnitude(self.monitor.X)))
        for checkpoint, reason in candidates:
            params = self.state.params if checkpoint is None else checkpoint.params
            usable = True
            for X, x_max in inputs:
                usable = usable and self.objective.predicts_finite(params, X, x_max)
            if usable:
                return checkpoint, reason
        return None


def _warn_no_finite_score(monitor):
    warnings.warn(
        f"The validation score of early stopping (scoring={monitor.scoring!r}) "
        "was not finite in any epoch, so it could not choose one: the weights "
        "of the last epoch were kept. Check that the scorer suits the "
        "validation set (all classes present, the right kind of target).",
        ConvergenceWarning,
        stacklevel=5,
    )


def run_stochastic(state, objective, data, plan, observers):
    """Train ``state`` in place with mini-batch epochs of its update rule."""
    run = _StochasticRun(state, objective, data, plan, observers)
    # Overflow is caught as a non-finite loss or weight, not as a warning.
    with np.errstate(all="ignore"):
        try:
            diverged_at = run.train()
        except KeyboardInterrupt:
            run.go_back_to_last_epoch()
            diverged_at = None
        run.keep_usable(diverged_at)


class _TrackedObjective:
    """J(x) and dJ/dx for scipy, remembering the best finite point it saw.

    scipy works on a float64 numpy vector x on the host; the parameters keep
    X's dtype, library and device. Every evaluation copies x there and the
    gradient back. The best point is a checkpoint of the state.
    """

    def __init__(self, state, objective, data, plan, tasks):
        self.state, self.objective, self.data = state, objective, data
        self.verbose, self.tasks, self.xp = plan.verbose, tasks, plan.ops
        params = state.params
        self.grads = self.xp.empty(params.shape, params.dtype, like=params)
        self.best = state.checkpoint()
        self.best_loss = np.inf
        self.stopped = False  # whether a callback asked to stop

    def as_params(self, x):
        """Return scipy's float64 x in the dtype, library and device of params."""
        params = self.state.params
        dtype = self.xp.numpy_dtype(params.dtype)
        return self.xp.move(x.astype(dtype, copy=False), like=params)

    def __call__(self, x):
        params = self.state.params
        params[...] = self.as_params(x)
        loss = float(self.objective.loss_and_gradients(params, self.data, self.grads))
        if np.isfinite(loss) and loss < self.best_loss:
            self.state.loss, self.best_loss = loss, loss
            self.best = self.state.checkpoint()
        return loss, self.xp.to_numpy(self.grads).astype(np.float64)

    def record(self, intermediate_result):
        """Append an iteration's loss to the curve (scipy's callback)."""
        state = self.state
        state.loss_curve.append(float(intermediate_result.fun))
        state.n_iter = len(state.loss_curve)
        if self.verbose:
            print(f"Iteration {state.n_iter}, loss = {state.loss_curve[-1]:.8f}")
        state.params[...] = self.as_params(intermediate_result.x)
        state.loss = float(intermediate_result.fun)
        if self.tasks:
            if self.tasks.end_epoch(state):
                self.stopped = True
                raise StopIteration  # scipy ends the minimisation here
            self.tasks.begin_epoch()

    def is_usable(self, params, loss):
        """Return whether ``loss`` is finite and params give finite outputs."""
        return np.isfinite(loss) and self.objective.predicts_finite(params, self.data.X)


def _minimize(tracked, plan):
    """Return scipy's OptimizeResult of L-BFGS-B from the state's parameters."""
    return scipy.optimize.minimize(
        tracked,
        tracked.xp.to_numpy(tracked.state.params).astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=tracked.record,
        options={"maxfun": plan.max_fun, "maxiter": plan.max_iter, "gtol": plan.tol},
    )


def run_lbfgs(state, objective, data, plan, observers):
    """Minimise J over the state's parameters with L-BFGS-B on the full batch."""
    tracked = _TrackedObjective(state, objective, data, plan, observers.tasks)
    if observers.tasks:
        observers.tasks.begin_epoch()
    with np.errstate(all="ignore"):
        try:
            result = _minimize(tracked, plan)
        except KeyboardInterrupt:
            if not state.loss_curve:
                raise  # nothing finished: the caller undoes the call
            warnings.warn("Training interrupted by user.", stacklevel=3)
            state.take_weights(tracked.best)
            return
        final = tracked.as_params(result.x)
        if tracked.is_usable(final, result.fun):
            if not tracked.stopped:
                _warn_unless_converged(result)
            state.params[...] = final
            state.n_iter, state.loss = min(result.nit, plan.max_iter), float(result.fun)
            return
        if not tracked.is_usable(tracked.best.params, tracked.best_loss):
            raise NoFiniteEpoch
    _warn_kept(_diverged(result.nit), "the lowest loss it evaluated")
    state.take_weights(tracked.best)
    state.n_iter = result.nit


def _warn_unless_converged(result):
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase the number of "
            "iterations (max_iter) or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )


@dataclass(frozen=True)
class FullBatchSolver:
    """A ``solver`` option that is no stochastic optimiser: its loop and its docs.

    Stochastic solvers (the ``OPTIMIZERS``) step through mini-batches with an
    update rule, run by ``run_stochastic``, and take ``partial_fit``,
    ``batch_size``, the learning-rate schedules, early stopping, dropout and
    ``max_grad_norm``; full-batch ones see the whole training set at every
    step and take none of those.
    """

    run: Callable
    description: str


#: Every ``solver`` option: L-BFGS, then the stochastic optimisers. A view,
#: not a copy, so that an optimiser registered later is a solver too.
SOLVERS = ChainMap(
    {
        "lbfgs": FullBatchSolver(
            run_lbfgs,
            "scipy's L-BFGS-B, a quasi-Newton method that estimates the "
            "curvature from recent gradients; every iteration uses the whole "
            "training set.",
        )
    },
    OPTIMIZERS,
)
