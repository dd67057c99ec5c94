"""Training loops: mini-batch epochs for SGD and Adam, and L-BFGS via scipy.

A solver takes a parameter vector it may overwrite, an ``Objective`` and the
data, and returns a ``TrainingResult``. It never touches an estimator.
"""

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._objective import Batch


@dataclass
class History:
    """What stochastic training remembers from one call to the next."""

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


@dataclass(frozen=True)
class StochasticSettings:
    """How the epochs run.

    ``monitor``, set for early stopping, returns the (score, loss) of the
    parameters on the validation set; higher scores are better.
    """

    max_iter: int
    batch_size: int
    shuffle: bool
    tol: float
    n_iter_no_change: float
    verbose: bool
    incremental: bool
    random_state: np.random.RandomState
    monitor: Callable[[np.ndarray], tuple[float, float]] | None = None


@dataclass
class TrainingResult:
    """Final parameters and what the solver learned on the way."""

    params: np.ndarray
    n_iter: int
    loss: float
    history: History | None = None
    optimizer: object = None


def _gather(rows, order, out):
    """Return ``rows[order]``, written into ``out`` unless ``rows`` is sparse."""
    if not isinstance(rows, np.ndarray):
        return rows[order]  # sparse
    # mode="clip" lets numpy write straight into ``out``; ``order`` is in range.
    return rows.take(order, axis=0, out=out[: len(order)], mode="clip")


def _epoch_batches(data, batch_size, order, buffers):
    """Yield the batches of one epoch; shuffled ones reuse ``buffers``."""
    n_samples = data.Y.shape[0]
    for start in range(0, n_samples, batch_size):
        rows = slice(start, min(start + batch_size, n_samples))
        if order is None:
            yield Batch(*(None if part is None else part[rows] for part in data))
        else:
            yield Batch(
                *(
                    None if part is None else _gather(part, order[rows], buffer)
                    for part, buffer in zip(data, buffers, strict=True)
                )
            )


def _batch_buffers(data, batch_size):
    """Return reusable buffers shaped like one batch of X, Y and sample_weight."""
    return Batch(
        *(
            None
            if part is None or sp.issparse(part)
            else np.empty((batch_size, *part.shape[1:]), dtype=part.dtype)
            for part in data
        )
    )


def _run_epoch(params, grads, objective, optimizer, batches):
    """Return the epoch's mean batch loss, or NaN as soon as a batch's is not finite."""
    total, n_seen = 0.0, 0
    for batch in batches:
        batch_loss = objective.loss_and_gradients(params, batch, grads)
        if not np.isfinite(batch_loss):
            return np.nan
        optimizer.step(params, grads)
        n_rows = batch.Y.shape[0]
        total += batch_loss * n_rows
        n_seen += n_rows
    return total / n_seen


def _update_progress(history, params, best_params, settings):
    """Record the epoch's score and count epochs without ``tol`` improvement."""
    if settings.monitor is None:
        loss = history.loss_curve[-1]
        stalled = loss > history.best_loss - settings.tol
        history.best_loss = min(loss, history.best_loss)
    else:
        score, validation_loss = settings.monitor(params)
        history.validation_scores.append(score)
        history.validation_losses.append(validation_loss)
        if settings.verbose:
            print(f"Validation score: {score:f}")
        stalled = score < history.best_validation_score + settings.tol
        if score > history.best_validation_score:
            history.best_validation_score = score
            np.copyto(best_params, params)
    history.no_improvement_count = history.no_improvement_count + 1 if stalled else 0


def _stalled_message(settings):
    watched = "Training loss" if settings.monitor is None else "Validation score"
    return (
        f"{watched} did not improve more than tol={settings.tol:f} for "
        f"{settings.n_iter_no_change} consecutive epochs."
    )


def _keep_going_after_stall(optimizer, settings):
    """Return whether training goes on after ``n_iter_no_change`` stalled epochs."""
    message = _stalled_message(settings)
    if optimizer.reduce_learning_rate():
        if settings.verbose:
            print(f"{message} Setting learning rate to {optimizer.learning_rate:f}")
        return True
    if settings.verbose:
        print(f"{message} Stopping.")
    return False


def _warn_diverged(epoch):
    warnings.warn(
        f"Training diverged at iteration {epoch}: the loss or the weights became "
        f"non-finite (NaN or inf). Training stopped and the last finite weights "
        f"were kept. Try a smaller learning_rate_init, or scale the input data.",
        ConvergenceWarning,
        stacklevel=4,
    )


class _BatchSource:
    """The batches of each epoch, shuffled the way scikit-learn shuffles them."""

    def __init__(self, data, settings):
        self.data, self.settings = data, settings
        self.order = np.arange(data.Y.shape[0])
        shuffle, batch_size = settings.shuffle, settings.batch_size
        self.buffers = _batch_buffers(data, batch_size) if shuffle else None

    def next_epoch(self):
        """Return the batches of the next epoch."""
        if not self.settings.shuffle:
            return _epoch_batches(self.data, self.settings.batch_size, None, None)
        # scikit-learn permutes the previous epoch's order, not a fresh range.
        self.order = self.order[self.settings.random_state.permutation(len(self.order))]
        return _epoch_batches(
            self.data, self.settings.batch_size, self.order, self.buffers
        )


def _record_epoch(history, loss, n_samples, settings, n_iter):
    """Append epoch ``n_iter``'s loss to the history, counting the samples seen."""
    history.t += n_samples
    history.loss_curve.append(loss)
    if settings.verbose:
        print(f"Iteration {n_iter}, loss = {loss:.8f}")


def _should_stop(history, optimizer, settings, n_iter):
    """Return whether training ends after this epoch, warning at max_iter."""
    if history.no_improvement_count > settings.n_iter_no_change:
        if not _keep_going_after_stall(optimizer, settings):
            return True
        history.no_improvement_count = 0
    if settings.incremental:
        return True
    if n_iter == settings.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return False


def run_stochastic(params, objective, optimizer, data, settings, history):
    """Train ``params`` in place with mini-batch epochs; return a TrainingResult."""
    history = copy.deepcopy(history)
    grads, last_finite = np.empty_like(params), params.copy()
    best_params = params.copy() if settings.monitor else None
    source, n_iter, loss = _BatchSource(data, settings), 0, np.nan
    try:
        for epoch in range(1, settings.max_iter + 1):
            np.copyto(last_finite, params)
            # Overflow is caught below as a non-finite loss or weight.
            with np.errstate(over="ignore", invalid="ignore"):
                batches = source.next_epoch()
                loss = _run_epoch(params, grads, objective, optimizer, batches)
            if not (np.isfinite(loss) and np.isfinite(params).all()):
                np.copyto(params, last_finite)
                _warn_diverged(epoch)
                break
            n_iter += 1
            _record_epoch(history, loss, data.Y.shape[0], settings, n_iter)
            _update_progress(history, params, best_params, settings)
            optimizer.end_epoch(history.t)
            if _should_stop(history, optimizer, settings, n_iter):
                break
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=3)
        if not np.isfinite(params).all():
            np.copyto(params, last_finite)
    final_loss = history.loss_curve[-1] if history.loss_curve else loss
    params = params if best_params is None else best_params
    return TrainingResult(params, n_iter, final_loss, history, optimizer)


@dataclass(frozen=True)
class LbfgsSettings:
    """Stopping rules passed on to scipy's L-BFGS-B."""

    max_iter: int
    max_fun: int
    tol: float
    verbose: bool


class _TrackedObjective:
    """J(x) and dJ/dx for scipy, remembering the best finite point it saw."""

    def __init__(self, objective, data, params):
        self.objective, self.data = objective, data
        self.params, self.grads = params, np.empty_like(params)
        self.best_loss, self.best_params = np.inf, params.copy()

    def __call__(self, x):
        self.params[...] = x  # scipy works in float64; params keep X's dtype
        loss = self.objective.loss_and_gradients(self.params, self.data, self.grads)
        if np.isfinite(loss) and loss < self.best_loss:
            self.best_loss = loss
            np.copyto(self.best_params, self.params)
        return loss, self.grads.astype(np.float64)


def run_lbfgs(params, objective, data, settings):
    """Minimise J over ``params`` with L-BFGS-B on the full batch."""
    tracked = _TrackedObjective(objective, data, params)
    loss_curve = []

    def record(intermediate_result):
        loss_curve.append(float(intermediate_result.fun))
        if settings.verbose:
            print(f"Iteration {len(loss_curve)}, loss = {loss_curve[-1]:.8f}")

    try:
        with np.errstate(over="ignore", invalid="ignore"):
            result = scipy.optimize.minimize(
                tracked,
                params.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=record,
                options={
                    "maxfun": settings.max_fun,
                    "maxiter": settings.max_iter,
                    "gtol": settings.tol,
                },
            )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=3)
        n_iter, history = len(loss_curve), History(loss_curve)
        return TrainingResult(tracked.best_params, n_iter, tracked.best_loss, history)
    final = params.copy()
    final[...] = result.x
    if not (np.isfinite(result.fun) and np.isfinite(final).all()):
        _warn_diverged(result.nit)
        history = History(loss_curve)
        return TrainingResult(
            tracked.best_params, result.nit, tracked.best_loss, history
        )
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase the number of "
            "iterations (max_iter) or scale the data.",
            ConvergenceWarning,
            stacklevel=3,
        )
    n_iter = min(result.nit, settings.max_iter)
    return TrainingResult(final, n_iter, float(result.fun), History(loss_curve))
