"""One training run of a tabular network, from encoded arrays to kept parameters.

``network_layers`` gives the layers for the encoded columns;
``train_network(network, data, settings, rng)`` initialises them on the
training rows, holds out a validation split (as RealMLP does), and lets
skmlp's stochastic solver run a fixed number of epochs with the
``TabularUpdate`` rule. The solver goes back to the epoch with
the best validation score, and never returns parameters with non-finite
outputs (it raises ``NoFiniteEpoch`` instead).
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._arrays import array_ops
from ._layers import (
    NONLINEARITIES,
    Dense,
    Dropout,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
)
from ._losses import LOSSES
from ._members import MemberScale, member_head
from ._objective import Batch
from ._solvers import Observers, run_stochastic
from ._state import TrainingState
from ._tabular_adam import ADAMW, TabularUpdate
from ._tabular_network import TabularObjective
from ._tabular_schedules import epoch_progress


@dataclass(frozen=True)
class NetworkSettings:
    """What the estimator asks of the network and of its training."""

    loss: str
    hidden_layer_sizes: tuple
    activation: str
    n_frequencies: int
    scaling_layer: bool
    dropout: float
    learning_rate_init: float
    learning_rate_schedule: str
    weight_decay: float
    label_smoothing: float
    max_iter: int
    batch_size: int
    validation_fraction: float | None
    n_members: int = 1
    # RealMLP-TD's choices with no estimator parameter; the benchmark's
    # ablation turns them off one at a time.
    parametric_activation: bool = True
    group_learning_rates: bool = True
    beta_2: float = 0.95


def network_layers(n_features, n_outputs, numeric, settings):
    """Return the layers: embeddings, scaling, hidden blocks, output.

    With ``n_members`` k > 1 the scaling becomes the members' adapters and the
    output their k heads and mean (see ``_members``).
    """
    layers, width = [], n_features
    if settings.n_frequencies and len(numeric):
        columns = tuple(numeric)
        embedding = PeriodicEmbedding(n_features, columns, settings.n_frequencies)
        layers.append(embedding)
        width = embedding.n_out
    k = settings.n_members
    if k > 1:
        layers.append(MemberScale(width, k, trainable=settings.scaling_layer))
    elif settings.scaling_layer:
        layers.append(Scale(width))
    nonlinearity = NONLINEARITIES[settings.activation]
    for units in settings.hidden_layer_sizes:
        layers.append(Dense(width, units))
        trainable = settings.parametric_activation
        layers.append(ParametricActivation(units, nonlinearity, trainable))
        if settings.dropout:
            layers.append(Dropout(units, settings.dropout))
        width = units
    if k > 1:
        probabilities = settings.loss != "squared_error"
        return [*layers, *member_head(width, n_outputs, k, probabilities)]
    return [*layers, Dense(width, n_outputs)]


class _Progress:
    """Epoch hooks that move the objective's progress t (dropout's schedule).

    They also tell the callbacks' ``tasks`` (None when no callback listens) of
    every epoch.
    """

    def __init__(self, objective, max_epochs, tasks=None):
        self.objective, self.max_epochs, self.epoch = objective, max_epochs, 0
        self.tasks = tasks

    def begin_epoch(self):
        self.objective.set_progress(epoch_progress(self.epoch, self.max_epochs))
        self.epoch += 1
        if self.tasks is not None:
            self.tasks.begin_epoch()

    def end_epoch(self, state):
        return self.tasks is not None and self.tasks.end_epoch(state)


def split_rows(n_samples, fraction, stratify, rng):
    """Return (training rows, validation rows or None) of a held-out split.

    No split when ``fraction`` is None or would leave fewer than 2 rows on a
    side; stratified when every class has at least 2 members.
    """
    n_val = 0 if fraction is None else int(np.floor(n_samples * fraction))
    rows = np.arange(n_samples)
    if n_val < 2 or n_samples - n_val < 2:
        return rows, None
    if stratify is not None and np.unique(stratify, return_counts=True)[1].min() < 2:
        stratify = None
    seed = int(rng.integers(2**31 - 1))
    try:
        return train_test_split(
            rows, test_size=n_val, stratify=stratify, random_state=seed
        )
    except ValueError:  # too few rows per class for a stratified split
        return train_test_split(rows, test_size=n_val, random_state=seed)


class ValidationMonitor(NamedTuple):
    """What the solver's early stopping reads: (score, loss) of parameters."""

    measure: Callable
    scoring: str
    X: np.ndarray


def _accuracy_then_loss(Z, val):
    """Return (weighted accuracy - 1e-6 min(log loss, 10), log loss) of logits Z.

    Accuracy decides; the tiny log-loss term, below one row's share of the
    accuracy for any validation set under 100,000 rows, breaks its ties.
    """
    log_p = Z - logsumexp(Z, axis=1, keepdims=True)
    losses = -(val.Y * log_p).sum(axis=1)
    loss = float(np.average(losses, weights=val.sample_weight))
    hits = Z.argmax(axis=1) == val.Y.argmax(axis=1)
    accuracy = float(np.average(hits, weights=val.sample_weight))
    return accuracy - 1e-6 * min(loss, 10.0), loss


def _monitor(network, val, loss):
    """Return the ValidationMonitor: accuracy, or minus the mean squared error."""
    labels = loss.name != "squared_error"

    def measure(params):
        Z = network.predict(params, val.X)
        if not np.isfinite(Z).all():
            return np.nan, np.nan
        if labels:
            return _accuracy_then_loss(Z, val)
        residual = np.average((Z - val.Y) ** 2, axis=0, weights=val.sample_weight)
        return float(-residual.mean()), float(residual.mean())

    return ValidationMonitor(measure, "accuracy" if labels else "mse", val.X)


def _plan(settings, n_samples, random_state):
    """Return the namespace of settings the stochastic solver reads."""
    return SimpleNamespace(
        ops=array_ops(np.zeros(1)),
        max_iter=settings.max_iter,
        batch_size=min(settings.batch_size, n_samples),
        shuffle=True,
        tol=0.0,
        n_iter_no_change=np.inf,
        verbose=False,
        incremental=False,
        random_state=random_state,
    )


def _update_rule(network, params, settings):
    """Return the TabularUpdate at the start of training."""
    lr_factors = network.factors("lr")
    if not settings.group_learning_rates:
        lr_factors = (lr_factors > 0).astype(lr_factors.dtype)  # frozen stay so
    optimizer = ADAMW.init(
        params,
        beta_1=0.9,
        beta_2=settings.beta_2,
        epsilon=1e-8,
        lr_factors=lr_factors,
        weight_decay_factors=network.factors("weight_decay"),
    )
    schedule = {
        "learning_rate_init": settings.learning_rate_init,
        "weight_decay": settings.weight_decay,
        "shape": settings.learning_rate_schedule,
        "max_iter": settings.max_iter,
    }
    return TabularUpdate.start(optimizer, schedule)


def train_network(network, data, settings, rng, watchers=(None, None)):
    """Return the TrainingState of ``network`` after training on the Batch ``data``.

    ``rng`` is a numpy Generator all draws come from; ``watchers`` is (the
    labels to stratify the validation split by, the callbacks' tasks), each
    or None.
    """
    stratify, tasks = watchers
    train_rows, val_rows = split_rows(
        data.Y.shape[0], settings.validation_fraction, stratify, rng
    )
    train = Batch(*(part[train_rows] for part in data))
    params = network.initial_params(train.X, rng)
    loss = LOSSES[settings.loss]
    objective = TabularObjective(network, loss, settings.label_smoothing, rng=rng)
    monitor = None
    if val_rows is not None:
        val = Batch(*(part[val_rows] for part in data))
        monitor = _monitor(network, val, loss)
    state = TrainingState(params, _update_rule(network, params, settings))
    state.validation_scores, state.validation_losses = [], []
    state.best_validation_score = -np.inf
    random_state = np.random.RandomState(int(rng.integers(2**31 - 1)))
    plan = _plan(settings, train.Y.shape[0], random_state)
    observers = Observers(monitor, _Progress(objective, settings.max_iter, tasks))
    with warnings.catch_warnings():
        # The number of epochs is the schedule's length, not a cap to warn of.
        warnings.filterwarnings("ignore", "Stochastic Optimizer", ConvergenceWarning)
        run_stochastic(state, objective, train, plan, observers)
    return state
