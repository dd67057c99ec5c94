"""A tabular network: a stack of layers on one flat parameter buffer, and its objective.

With layers g_1 .. g_L (see ``_layers``) and A_0 = X::

    A_l = g_l(A_{l-1}; theta_l),   Z = A_L (the output pre-activations)
    delta_L = dL/dZ = a - y          (canonical output and loss, see _losses)
    delta_{l-1} = dL/dA_{l-1},       returned by layer l's backward

The parameters of every layer lie one after the other in a single flat
vector, so skmlp's optimisers update them all with a few vector operations;
each layer sees its part as named views (``TabularNetwork.views``).

The objective is the weighted mean data loss, normalised as skmlp's
``Objective`` does::

    J = sum_i s_i L_i / S,   S = sum_i s_i

with label smoothing for classification: the targets become
y' = (1 - eps) y + eps / K over K classes (eps = 0.1 in RealMLP-TD), which
keeps dL/dZ = a - y'. A network of k ensemble members (``_members``) outputs
k rows per input row while training; J is then the mean over the members,
each member's rows weighted as the input rows are.

There is no penalty term: RealMLP-TD's weight decay is decoupled,
theta *= 1 - lr_t * wd_t * (per-group factors) before each Adam step, with
wd_t = 0.02 * flat_cos(t), so it belongs to the optimiser.
``TabularNetwork.factors`` gives the per-parameter factors it needs.
"""

from dataclasses import dataclass

import numpy as np

from ._activations import OUTPUT_ACTIVATIONS
from ._layers import (
    LAYERS,
    NONLINEARITIES,
    Dense,
    Dropout,
    ParametricActivation,
    PeriodicEmbedding,
    Scale,
    Training,
    layer_from_record,
    layer_record,
)
from ._losses import smoothed_targets
from ._members import MEMBER_LAYERS

# Rows per forward pass when only the outputs matter (memory of the embedding).
_PREDICT_ROWS = 4096
# Every layer a saved network may hold, by name.
_LAYER_KINDS = {kind.__name__: kind for kind in (*LAYERS, *MEMBER_LAYERS)}


class TabularNetwork:
    """Layers in order, their parameters laid out in one flat buffer."""

    def __init__(self, layers):
        self.layers = tuple(layers)
        self.slots, start = [], 0
        for layer in self.layers:
            slot = {}
            for name, spec in layer.parameters.items():
                size = int(np.prod(spec.shape))
                slot[name] = (start, start + size, spec.shape)
                start += size
            self.slots.append(slot)
        self.size = start
        # How many ensemble members train side by side (see ``_members``).
        self.n_members = max(getattr(layer, "n_members", 1) for layer in self.layers)

    @classmethod
    def from_records(cls, records):
        """Return the network whose layers ``records`` describes."""
        return cls(layer_from_record(record, _LAYER_KINDS) for record in records)

    def records(self):
        """Return the layers as plain data (see ``_layers.layer_record``)."""
        return [layer_record(layer) for layer in self.layers]

    @property
    def n_outputs(self):
        """Return the width of the last layer."""
        return self.layers[-1].n_out

    def views(self, flat):
        """Return per layer a dict of named views into the flat vector."""
        return [
            {
                name: flat[start:end].reshape(shape)
                for name, (start, end, shape) in s.items()
            }
            for s in self.slots
        ]

    def factors(self, kind):
        """Return the per-parameter ``lr`` or ``weight_decay`` factors, flat."""
        attribute = {"lr": "lr_factor", "weight_decay": "weight_decay_factor"}[kind]
        vector = np.empty(self.size)
        for layer, slot in zip(self.layers, self.slots, strict=True):
            for name, (start, end, _) in slot.items():
                vector[start:end] = getattr(layer.parameters[name], attribute)
        return vector

    def initial_params(self, X, rng, dtype=np.float64):
        """Return a new flat buffer initialised layer by layer on the data X.

        Each layer is initialised on what the layers below, already
        initialised, make of X (no dropout), as data-dependent schemes need.
        """
        params = np.empty(self.size, dtype=dtype)
        A = np.asarray(X, dtype=dtype)
        for layer, view in zip(self.layers, self.views(params), strict=True):
            layer.init(view, A, rng)
            A, _ = layer.forward(view, A, None)
        return params

    def forward(self, views, X, training=None):
        """Return the output Z and every layer's cache."""
        caches, A = [], X
        for layer, view in zip(self.layers, views, strict=True):
            A, cache = layer.forward(view, A, training)
            caches.append(cache)
        return A, caches

    def backward(self, views, caches, delta, grad_views):
        """Write dL/dtheta of every layer into ``grad_views``, given delta = dL/dZ."""
        for layer, view, cache, grad in reversed(
            list(zip(self.layers, views, caches, grad_views, strict=True))
        ):
            delta = layer.backward(view, cache, delta, grad)

    def predict(self, params, X):
        """Return the output pre-activations Z for X, without dropout."""
        views = self.views(params)
        parts = [
            self.forward(views, X[start : start + _PREDICT_ROWS])[0]
            for start in range(0, X.shape[0], _PREDICT_ROWS)
        ]
        return np.concatenate(parts, axis=0)


@dataclass(frozen=True)
class Architecture:
    """The shape of a RealMLP-style network; the defaults are RealMLP-TD's.

    ``activation`` is "selu" for classification and "mish" for regression in
    RealMLP-TD; ``dropout`` is the rate of the first half of training.
    """

    hidden: tuple[int, ...] = (256, 256, 256)
    activation: str = "selu"
    dropout: float = 0.15
    n_frequencies: int = 16
    n_values: int = 3
    sigma: float = 0.1


def realmlp_layers(n_features, n_outputs, numeric=(), architecture=Architecture()):
    """Return RealMLP-TD's stack of layers for ``n_features`` input columns.

    The numeric columns (indices ``numeric``) get periodic embeddings, then a
    scaling layer, then per hidden width a dense layer, a parametric
    activation and dropout, and a dense output layer.
    """
    arch = architecture
    nonlinearity = NONLINEARITIES[arch.activation]
    layers = []
    if len(numeric):
        columns = tuple(int(j) for j in numeric)
        embedding = PeriodicEmbedding(
            n_features, columns, arch.n_frequencies, arch.n_values, arch.sigma
        )
        layers.append(embedding)
    width = layers[-1].n_out if layers else n_features
    layers.append(Scale(width))
    for units in arch.hidden:
        layers.append(Dense(width, units))
        layers.append(ParametricActivation(units, nonlinearity))
        layers.append(Dropout(units, arch.dropout))
        width = units
    layers.append(Dense(width, n_outputs))
    return layers


class TabularObjective:
    """J and dJ/dparams of a ``TabularNetwork`` on batches, as skmlp's solvers take.

    ``loss`` is a canonical record of ``_losses.LOSSES`` (``log_loss`` with its
    softmax output and one column per class, ``squared_error`` for
    regression). ``label_smoothing`` eps applies to the log losses only.
    ``progress`` t in [0, 1] drives the dropout schedules; ``set_progress``
    moves it, once per epoch for instance.
    """

    def __init__(self, network, loss, label_smoothing=0.0, rng=None):
        if label_smoothing and loss.name not in ("log_loss", "binary_log_loss"):
            raise ValueError(
                f"label_smoothing={label_smoothing} needs a log loss, "
                f"not {loss.name!r}."
            )
        self.network, self.loss, self.label_smoothing = network, loss, label_smoothing
        self.output = OUTPUT_ACTIVATIONS[loss.output_activation]
        self.rng = np.random.default_rng(rng)
        self.progress = 0.0
        self._views_of = {}

    def set_progress(self, progress):
        """Set the training progress t in [0, 1] the schedules read."""
        self.progress = float(progress)

    def _views(self, vector):
        """Return ``network.views(vector)``, remembered for the same vector object."""
        known = self._views_of.get(id(vector))
        if known is None or known[0] is not vector:
            if len(self._views_of) > 4:
                self._views_of.clear()
            known = (vector, self.network.views(vector))
            self._views_of[id(vector)] = known
        return known[1]

    def smoothed(self, Y):
        """Return y' = (1 - eps) y + eps / K (K = 2 for a single logistic column)."""
        if not self.label_smoothing:
            return Y
        activation = self.loss.output_activation
        return smoothed_targets(Y, self.label_smoothing, activation)

    def loss_and_gradients(self, params, batch, grads):
        """Return J at ``params`` on ``batch``, writing dJ/dparams into ``grads``.

        Returns None, leaving ``grads`` as they were, for a batch whose sample
        weights sum to zero.
        """
        X, Y, sample_weight = batch
        weight_sum = X.shape[0] if sample_weight is None else np.sum(sample_weight)
        if weight_sum == 0:
            return None
        views = self._views(params)
        Z, caches = self.network.forward(views, X, Training(self.rng, self.progress))
        self.output.function(Z)  # in place: Z now holds the output activation a
        target = self.smoothed(Y.astype(Z.dtype, copy=False))
        k = self.network.n_members
        if k > 1:  # J is the mean of the members' losses, each on every row
            target, weight_sum = np.tile(target, (k, 1)), k * weight_sum
            if sample_weight is not None:
                sample_weight = np.tile(sample_weight, k)
        value = self.loss.value(target, Z, sample_weight)
        delta = self.loss.output_delta(Z, target, out=Z)
        # Scaling delta_L by s_i / S scales every gradient backprop produces by it.
        if sample_weight is None:
            delta /= weight_sum
        else:
            delta *= (sample_weight / weight_sum)[:, None]
        self.network.backward(views, caches, delta, self._views(grads))
        return value

    def predicts_finite(self, params, X, x_max=None):
        """Return whether the network at ``params`` gives finite outputs for X."""
        return bool(np.isfinite(self.network.predict(params, X)).all())
