"""The network itself: parameter layout, initialisation, forward and backward.

Notation, for layers l = 1..L with a_0 = X::

    z_l = a_{l-1} @ W_l + b_l,   a_l = f(z_l)
    delta_l = dL/dz_l
    delta_L = a_L - Y                              (canonical link, see _losses)
    delta_{l-1} = (delta_l @ W_l.T) * f'(z_{l-1})   (written in a_{l-1} where it can be)
    dL/dW_l = a_{l-1}.T @ delta_l,   dL/db_l = sum of delta_l over samples

In code layers count from 0: ``coefs[layer]`` is W_{layer+1} and
``activations[layer]`` is a_layer, so ``activations[0]`` is the input.

With inverted dropout, hidden layer l is multiplied by a mask m_l holding 0 or
1 / (1 - p): the next layer sees a_l * m_l, and backprop multiplies
delta_l by the same m_l before f'(z_l).

All parameters live in one flat buffer, coefficients of every layer first and
then intercepts (the order scikit-learn packs them in for L-BFGS); ``coefs`` and
``intercepts`` are views into it, so an optimiser updates every parameter with a
few vector operations and L-BFGS sees the same buffer.
"""

import math
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from ._activations import OUTPUT_ACTIVATIONS
from ._arrays import array_ops

IDENTITY = OUTPUT_ACTIVATIONS["identity"]


@dataclass(frozen=True)
class ParameterLayout:
    """Where each layer's W and b live in the flat parameter vector."""

    layer_units: tuple[int, ...]
    #: The (fan_in, fan_out) shape of every W.
    coef_shapes: list = field(init=False, compare=False)
    #: The number of weights; they fill the start of the buffer.
    n_coefs: int = field(init=False, compare=False)
    #: The total number of parameters.
    size: int = field(init=False, compare=False)

    def __post_init__(self):
        shapes = list(pairwise(self.layer_units))
        n_coefs = sum(map(math.prod, shapes))
        object.__setattr__(self, "coef_shapes", shapes)
        object.__setattr__(self, "n_coefs", n_coefs)
        object.__setattr__(self, "size", n_coefs + sum(self.layer_units[1:]))

    def unpack(self, params):
        """Return lists of views (coefs, intercepts) into the flat ``params``."""
        xp = array_ops(params)
        coefs, start = [], 0
        for shape in self.coef_shapes:
            end = start + shape[0] * shape[1]
            coefs.append(xp.reshape(params[start:end], shape))
            start = end
        intercepts = []
        for fan_out in self.layer_units[1:]:
            intercepts.append(params[start : start + fan_out])
            start += fan_out
        return coefs, intercepts

    def pack(self, coefs, intercepts, dtype):
        """Return a new flat buffer holding copies of ``coefs`` and ``intercepts``.

        The buffer is of the library and on the device of ``coefs``.
        """
        params = array_ops(coefs[0]).empty(self.size, dtype, like=coefs[0])
        coef_views, intercept_views = self.unpack(params)
        for view, source in zip(
            [*coef_views, *intercept_views], [*coefs, *intercepts], strict=True
        ):
            view[...] = source
        return params


def initial_params(layout, gain, random_state, dtype):
    """Return Glorot-uniform parameters, drawn in scikit-learn's order.

    Each layer draws W then b from U(-r, r), r = sqrt(k / (fan_in + fan_out)),
    with k the hidden activation's ``init_gain`` (2 for the logistic
    activation, 6 for the others, as scikit-learn). The parameters are a numpy
    array of numpy ``dtype``, whatever library trains them.
    """
    params = np.empty(layout.size, dtype=dtype)
    for coef, intercept in zip(*layout.unpack(params), strict=True):
        fan_in, fan_out = coef.shape
        bound = np.sqrt(gain / (fan_in + fan_out))
        coef[...] = random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept[...] = random_state.uniform(-bound, bound, fan_out)
    return params


def layer_buffers(n_rows, units, dtype, like=None):
    """Return one uninitialised (n_rows, n_units) array per entry of ``units``.

    The arrays are of the library and on the device of the array ``like``
    (numpy when None).
    """
    xp, buffers = array_ops(like), []
    for n_units in units:
        buffers.append(xp.empty((n_rows, n_units), dtype, like=like))
    return buffers


@dataclass
class Trace:
    """What backward needs from a training forward pass besides the activations.

    ``derivative_inputs[layer]`` is a buffer for what the hidden activation's
    derivative takes when the activations alone won't do: z (for derivatives of
    the input) or a before dropout; ``None`` where the activation itself serves.
    ``masks`` holds the dropout mask of every hidden layer, or is ``None``.
    """

    derivative_inputs: list
    masks: list | None = None


def forward(activations, coefs, intercepts, hidden, output, trace=None):
    """Fill ``activations[1:]`` from ``activations[0] = X`` and return a_L.

    ``activations`` holds X followed by one preallocated buffer per layer.
    A ``trace`` keeps what backward needs besides the activations: z for a
    derivative of z, a before dropout when there is dropout, and the masks.
    """
    last, xp = len(coefs) - 1, array_ops(activations[0])
    for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = xp.matmul(activations[layer], W, out=activations[layer + 1])
        z += b
        if layer == last:
            output.function(z)
            break
        saved = None if trace is None else trace.derivative_inputs[layer]
        if saved is not None and hidden.derivative_takes == "z":
            xp.copyto(saved, z)
        hidden.function(z)  # a_l = f(z_l), in place
        if trace is not None and trace.masks is not None:
            if saved is not None and hidden.derivative_takes == "a":
                xp.copyto(saved, z)
            z *= trace.masks[layer]  # the next layer sees a_l * m_l
    return activations[-1]


def backward(activations, deltas, coefs, hidden, grads, trace=None):
    """Fill ``grads = (coef_grads, intercept_grads)`` from delta_L = ``deltas[-1]``.

    ``deltas[layer]`` is a buffer for delta_{layer+1}; the caller has written
    delta_L into the last one. No delta is computed for the input X.
    """
    coef_grads, intercept_grads = grads
    xp = array_ops(activations[0])
    for layer in reversed(range(len(coefs))):
        delta = deltas[layer]
        xp.matmul(activations[layer].T, delta, out=coef_grads[layer])
        xp.column_sums(delta, out=intercept_grads[layer])
        if layer > 0:
            previous = xp.matmul(delta, coefs[layer].T, out=deltas[layer - 1])
            if trace is not None and trace.masks is not None:
                previous *= trace.masks[layer - 1]
            saved = None if trace is None else trace.derivative_inputs[layer - 1]
            hidden.derivative(activations[layer] if saved is None else saved, previous)


def predict_output(X, coefs, intercepts, hidden, output):
    """Return a_L for the rows of X, allocating the layer buffers it needs."""
    xp, like = array_ops(X), coefs[0]
    dtype = xp.result_type(X.dtype, like.dtype)
    activations = [X]
    for b in intercepts:
        activations.append(xp.empty((X.shape[0], b.shape[0]), dtype, like=like))
    return forward(activations, coefs, intercepts, hidden, output)


def largest_magnitude(X):
    """Return max |x| over the entries of X, dense or sparse."""
    values = X.data if hasattr(X, "tocsr") else X  # scipy sparse: its entries
    if math.prod(values.shape) == 0:
        return 0.0
    xp = array_ops(values)
    return max(float(xp.max(values)), -float(xp.min(values)))


def outputs_are_finite(X, coefs, intercepts, hidden, output, x_max=None):
    """Return whether every layer's z_l, and a_L, is finite for every row of X.

    A bound on each layer settles it without a forward pass in nearly every
    case: for inputs no larger than x_max, |z_l| <= max_j sum_i |W_l[i, j]| *
    max |a_{l-1}| + max |b_l|, and every hidden activation has |f(z)| <= |z| + 1.
    Only when a bound comes near overflow are the outputs computed.
    ``x_max`` is ``largest_magnitude(X)`` when the caller knows it already.
    """
    largest_input = largest_magnitude(X) if x_max is None else x_max
    xp, last = array_ops(coefs[0]), len(coefs) - 1
    wide, largest = xp.wide_float(coefs[0]), float(xp.finfo(coefs[0].dtype).max) / 4
    output_limit = math.log(largest) if output.name == "exp" else largest
    with np.errstate(all="ignore"):
        bounded = True
        for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
            column_sums = xp.sum(abs(W), axis=0, dtype=wide)
            z_max = largest_input * float(xp.max(column_sums)) + float(xp.max(abs(b)))
            bounded = bounded and z_max < (output_limit if layer == last else largest)
            largest_input = z_max + 1
        if bounded:
            return True
        network = (coefs, intercepts, hidden, output)
        for rows in _row_chunks(X.shape[0]):
            if not _every_layer_finite(X[rows, :], *network):
                return False
        return True


def _every_layer_finite(X, coefs, intercepts, hidden, output):
    """Return whether z_l of every layer, and a_L, are finite for the rows of X.

    z_l, not a_l: a saturating activation (tanh, logistic) turns an overflowed
    z into a finite a, and predicting would still warn of the overflow.
    """
    a, last, xp = X, len(coefs) - 1, array_ops(coefs[0])
    for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = predict_output(a, [W], [b], None, IDENTITY)  # z_l = a_{l-1} @ W_l + b_l
        if not xp.all_finite(z):
            return False
        (output if layer == last else hidden).function(z)
        a = z
    return xp.all_finite(a)


def _row_chunks(n_rows, chunk=4096):
    """Return slices that cover ``range(n_rows)`` in pieces of ``chunk`` rows."""
    return [slice(start, start + chunk) for start in range(0, n_rows, chunk)]
