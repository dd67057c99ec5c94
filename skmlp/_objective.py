"""The training objective: data loss plus L2 penalty, its value and gradient.

For a batch of n samples with weights s_i (all 1 when not given), weight sum
S = sum_i s_i, per-sample loss L_i and weights W of every layer::

    J = sum_i s_i L_i / S + alpha / (2 S) * ||W||^2

so dJ/dW_l = (a_{l-1}.T @ (s * delta_l) + alpha W_l) / S. Dividing the penalty
by the batch's weight sum, as scikit-learn does, keeps a weight of 2 on a sample
equivalent to repeating it.

With dropout, every call draws new masks for the hidden layers, so J and its
gradient are those of the thinned network of that call.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._activations import Activation
from ._arrays import array_ops
from ._losses import Loss
from ._network import (
    ParameterLayout,
    Trace,
    backward,
    forward,
    layer_buffers,
    outputs_are_finite,
)


@dataclass(frozen=True)
class ObjectiveSpec:
    """What the math needs to know: layer sizes, activations, loss, penalty.

    ``output`` is the output activation the loss pairs with,
    ``OUTPUT_ACTIVATIONS[loss.output_activation]``.
    """

    layout: ParameterLayout
    hidden: Activation
    loss: Loss
    alpha: float
    output: Activation


class Batch(NamedTuple):
    """Input rows, 2-D targets and optional sample weights of one batch."""

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None = None


def as_targets(Y, X):
    """Return the numpy targets Y as the objective takes them with inputs X.

    That is in the library and on the device of X, and in X's dtype, except
    that numpy keeps boolean indicators as they are: they take an eighth of
    the memory, and shuffled mini-batches gather them as floats (see
    ``take_rows``), so the arithmetic of a batch need not cast them.
    """
    xp = array_ops(X)
    if Y.dtype != bool or not xp.takes_boolean_targets:
        Y = Y.astype(xp.numpy_dtype(X.dtype), copy=False)
    return xp.move(Y, like=X)


@dataclass(frozen=True)
class Dropout:
    """Inverted dropout: each hidden unit is zeroed with probability ``rate``."""

    rate: float
    rng: np.random.Generator

    def draw_masks(self, masks):
        """Fill each mask with 0 (dropped) or 1 / (1 - rate) (kept).

        The masks are drawn with numpy on the host, whatever library holds them.
        """
        for mask in masks:
            array_ops(mask).fill_from_host(mask, self._draw)

    def _draw(self, mask):
        self.rng.random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask /= 1 - self.rate


class _Workspace(NamedTuple):
    """What one batch size computes in: buffers cut to its rows, parameter views.

    ``param_views`` and ``grad_views`` are the (coefs, intercepts) views into
    the flat ``params`` and ``grads`` vectors they were made for.
    """

    params: object
    grads: object
    param_views: tuple
    grad_views: tuple
    activations: list
    deltas: list
    trace: Trace | None


class Objective:
    """J and dJ/dparams for batches of at most ``max_rows`` rows.

    The per-layer activation and delta buffers are allocated once here, in
    the dtype, library and device of the parameter vector ``like``, and reused
    by every call, and so are the per-layer views of the parameter and
    gradient vectors a solver passes again and again.
    """

    def __init__(self, spec, max_rows, like, dropout=None):
        self.spec, self.dropout, self.max_rows = spec, dropout, max_rows
        self.ops, self._workspaces = array_ops(like), {}  # by number of rows
        units, dtype = spec.layout.layer_units[1:], like.dtype
        self._activations = layer_buffers(max_rows, units, dtype, like)
        self._deltas = layer_buffers(max_rows, units, dtype, like)
        # What backward needs besides the activations, when it does: z for a
        # derivative of z, a before dropout, and dropout's masks.
        hidden_units, self._trace = units[:-1], None
        if spec.hidden.derivative_takes == "z" or dropout is not None:
            saved, masks = layer_buffers(max_rows, hidden_units, dtype, like), None
            if dropout is not None:
                masks = layer_buffers(max_rows, hidden_units, dtype, like)
            self._trace = Trace(saved, masks)

    def _workspace(self, params, grads, n_samples):
        """Return the _Workspace of ``n_samples`` rows for ``params`` and ``grads``."""
        trace, cut = self._trace, []
        buffers = (self._activations, self._deltas)
        if trace is not None:
            buffers += (trace.derivative_inputs, trace.masks)
        for layers in buffers:
            if layers is None:  # no dropout masks
                cut.append(None)
                continue
            cut.append([])
            for buffer in layers:
                cut[-1].append(buffer[:n_samples, ...])
        if trace is not None:
            trace = Trace(*cut[2:])
        unpack = self.spec.layout.unpack
        views = (unpack(params), unpack(grads))
        work = _Workspace(params, grads, *views, cut[0], cut[1], trace)
        self._workspaces[n_samples] = work
        return work

    def loss_and_gradients(self, params, batch, grads):
        """Return J at ``params`` on ``batch``, writing dJ/dparams into ``grads``.

        Returns None, leaving ``grads`` as they were, for a batch whose sample
        weights sum to zero: it carries no information to learn from.
        """
        net, (X, Y, sample_weight) = self.spec, batch
        n_samples, xp = X.shape[0], self.ops
        weight_sum = n_samples if sample_weight is None else xp.sum(sample_weight)
        if weight_sum == 0:
            return None
        work = self._workspaces.get(n_samples)
        if work is None or work.params is not params or work.grads is not grads:
            work = self._workspace(params, grads, n_samples)
        (coefs, intercepts), trace = work.param_views, work.trace
        if self.dropout is not None:
            self.dropout.draw_masks(trace.masks)
        activations = [X, *work.activations]

        A = forward(activations, coefs, intercepts, net.hidden, net.output, trace)
        # Scaling delta_L by s_i / S scales every gradient backprop produces by it.
        delta = net.loss.output_delta(A, Y, out=work.deltas[-1])
        if sample_weight is None:
            delta /= weight_sum
        else:
            delta *= (sample_weight / weight_sum)[:, None]
        backward(activations, work.deltas, coefs, net.hidden, work.grad_views, trace)

        W = params[: net.layout.n_coefs]
        # grads_W += d/dW alpha/(2S) ||W||^2
        xp.add_scaled(grads[: net.layout.n_coefs], net.alpha / weight_sum, W)
        penalty = 0.5 * net.alpha * xp.scalar(W @ W) / weight_sum
        return net.loss.value(Y, A, sample_weight) + penalty

    def predicts_finite(self, params, X, x_max=None):
        """Return whether the network at ``params`` gives finite outputs for X."""
        coefs, intercepts = self.spec.layout.unpack(params)
        net = self.spec
        return outputs_are_finite(X, coefs, intercepts, net.hidden, net.output, x_max)
