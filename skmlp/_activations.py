"""Activation functions, each beside its derivative.

Every function works in place on the pre-activation ``z`` and leaves ``a = f(z)``
there. Every derivative multiplies a backpropagated ``delta`` in place by
``f'(z)``. Where ``f'`` can be written in terms of the layer's output ``a`` it
takes ``a``, so nothing from the forward pass is recomputed; where it cannot
(gelu, silu), ``derivative_takes`` is ``"z"`` and the forward pass keeps a copy
of ``z`` for it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._arrays import array_ops


@dataclass(frozen=True)
class Activation:
    """An activation ``a = f(z)`` and its derivative ``f'``.

    ``derivative_takes`` says what the derivative is computed from: the
    layer's output a ("a"), or its input z ("z", for gelu and silu). ``description``
    is the formula of f(z) that the estimators' docstrings list, and
    ``skmlp_only`` marks an activation scikit-learn's MLP does not offer.
    ``init_gain`` is the k of the Glorot-uniform bound sqrt(k / (fan_in +
    fan_out)) that the weights of a network with this activation start from.
    ``onnx(graph, z)`` writes f(z) as ONNX operators: it returns the name of
    a = f(z), made with ``graph.node(op_type, *inputs, **attributes)``,
    ``graph.constant(value)`` and ``graph.erf(x)`` (see ``skmlp.onnx``).
    """

    name: str
    function: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None] | None = None
    derivative_takes: str = "a"
    description: str = ""
    skmlp_only: bool = False
    init_gain: float = 6.0
    onnx: Callable | None = None


def _identity(z):
    pass


def _identity_derivative(a, delta):
    pass


def _logistic(z):
    array_ops(z).expit(z, out=z)


def _logistic_derivative(a, delta):
    # f'(z) = a * (1 - a)
    delta *= a
    delta *= 1 - a


def _tanh(z):
    array_ops(z).tanh(z, out=z)


def _tanh_derivative(a, delta):
    # f'(z) = 1 - a**2
    delta *= 1 - a * a


# Up to this many entries, relu compares z with an array of zeros rather than
# the number 0: numpy compares two arrays with vector instructions, an array
# and a number one by one. Larger zeros would cost memory (a full batch).
_ZEROS_UP_TO = 2**16


def _relu(z):
    xp = array_ops(z)
    zero = 0
    if math.prod(z.shape) <= _ZEROS_UP_TO:
        zero = xp.zeros(z.shape, z.dtype, like=z)
    xp.maximum(z, zero, out=z)


def _relu_derivative(a, delta):
    # f'(z) = 1 where a > 0, else 0
    array_ops(a).multiply(delta, a > 0, out=delta)


_LEAKY_SLOPE = 0.01


def _leaky_relu(z):
    array_ops(z).maximum(z, _LEAKY_SLOPE * z, out=z)


def _leaky_relu_derivative(a, delta):
    # f'(z) = 1 where a > 0, else the slope
    array_ops(a).where(a > 0, delta, _LEAKY_SLOPE * delta, out=delta)


def _elu(z):
    xp = array_ops(z)
    # expm1 of min(z, 0) only: the branch where() discards would overflow for
    # large positive z and warn, though its value is never used.
    xp.where(z < 0, xp.expm1(xp.minimum(z, 0)), z, out=z)


def _elu_derivative(a, delta):
    # f'(z) = 1 where a > 0, else exp(z) = a + 1
    array_ops(a).where(a > 0, delta, delta * (a + 1), out=delta)


def _softplus(z):
    array_ops(z).logaddexp(z, 0, out=z)


def _softplus_derivative(a, delta):
    # f'(z) = expit(z) = 1 - exp(-a), since exp(a) = 1 + exp(z)
    delta *= -array_ops(a).expm1(-a)


def _silu(z):
    z *= array_ops(z).expit(z)


def _silu_derivative(z, delta):
    # f'(z) = s + z s (1 - s) with s = expit(z)
    s = array_ops(z).expit(z)
    delta *= s * (1 + z * (1 - s))


_SQRT_HALF = 0.5**0.5
_INV_SQRT_2PI = 1 / (2 * math.pi) ** 0.5


def _gelu(z):
    z *= 0.5 * (1 + array_ops(z).erf(z * _SQRT_HALF))  # z * Phi(z)


def _gelu_derivative(z, delta):
    # f'(z) = Phi(z) + z phi(z)
    xp = array_ops(z)
    phi = _INV_SQRT_2PI * xp.exp(-0.5 * z * z)
    delta *= 0.5 * (1 + xp.erf(z * _SQRT_HALF)) + z * phi


def _softmax(z):
    xp = array_ops(z)
    # Subtracting the row maximum leaves softmax unchanged and keeps exp finite.
    z -= xp.row_max(z)
    xp.exp(z, out=z)
    z /= xp.row_sum(z)


def _exp(z):
    array_ops(z).exp(z, out=z)


def _onnx_op(op_type, **attributes):
    """Return the ONNX formula of an activation that is one operator."""
    return lambda graph, z: graph.node(op_type, z, **attributes)


def _leaky_relu_onnx(graph, z):
    # max(z, slope z); LeakyRelu's float attribute would round the slope in float64
    return graph.node("Max", z, graph.node("Mul", z, graph.constant(_LEAKY_SLOPE)))


def _elu_onnx(graph, z):
    # z where z > 0, else exp(min(z, 0)) - 1; onnxruntime's Elu is float32 only
    negative = graph.node("Min", z, graph.constant(0.0))
    expm1 = graph.node("Sub", graph.node("Exp", negative), graph.constant(1.0))
    return graph.node("Where", graph.node("Greater", z, graph.constant(0.0)), z, expm1)


def _softplus_onnx(graph, z):
    # log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|)), finite for any z
    tail = graph.node("Exp", graph.node("Neg", graph.node("Abs", z)))
    log1p = graph.node("Log", graph.node("Add", tail, graph.constant(1.0)))
    return graph.node("Add", graph.node("Relu", z), log1p)


def _silu_onnx(graph, z):
    return graph.node("Mul", z, graph.node("Sigmoid", z))


def _gelu_onnx(graph, z):
    # a = 0.5 z (1 + erf(z / sqrt 2))
    erf_z = graph.erf(graph.node("Mul", z, graph.constant(_SQRT_HALF)))
    one_plus = graph.node("Add", erf_z, graph.constant(1.0))
    return graph.node("Mul", graph.node("Mul", z, one_plus), graph.constant(0.5))


HIDDEN_ACTIVATIONS = {
    activation.name: activation
    for activation in (
        Activation(
            "identity",
            _identity,
            _identity_derivative,
            description="z, no nonlinearity (a linear bottleneck layer)",
            onnx=lambda graph, z: z,
        ),
        Activation(
            "logistic",
            _logistic,
            _logistic_derivative,
            description="1 / (1 + exp(-z)), the logistic sigmoid",
            init_gain=2.0,
            onnx=_onnx_op("Sigmoid"),
        ),
        Activation(
            "tanh",
            _tanh,
            _tanh_derivative,
            description="tanh(z)",
            onnx=_onnx_op("Tanh"),
        ),
        Activation(
            "relu",
            _relu,
            _relu_derivative,
            description="max(0, z)",
            onnx=_onnx_op("Relu"),
        ),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _leaky_relu_derivative,
            description=f"max(z, {_LEAKY_SLOPE} z)",
            skmlp_only=True,
            onnx=_leaky_relu_onnx,
        ),
        Activation(
            "elu",
            _elu,
            _elu_derivative,
            description="z where z > 0, else exp(z) - 1",
            skmlp_only=True,
            onnx=_elu_onnx,
        ),
        Activation(
            "softplus",
            _softplus,
            _softplus_derivative,
            description="log(1 + exp(z)), a smooth relu",
            skmlp_only=True,
            onnx=_softplus_onnx,
        ),
        Activation(
            "silu",
            _silu,
            _silu_derivative,
            derivative_takes="z",
            description="z / (1 + exp(-z)), also called swish",
            skmlp_only=True,
            onnx=_silu_onnx,
        ),
        Activation(
            "gelu",
            _gelu,
            _gelu_derivative,
            derivative_takes="z",
            description=(
                "z Phi(z), with Phi the standard normal CDF (the exact GELU, "
                "not its tanh approximation)"
            ),
            skmlp_only=True,
            onnx=_gelu_onnx,
        ),
    )
}

#: Activations scikit-learn's MLP offers; the others are skmlp's own.
SKLEARN_ACTIVATIONS = tuple(
    name for name, activation in HIDDEN_ACTIVATIONS.items() if not activation.skmlp_only
)

# Output activations need no derivative of their own: paired with their loss
# (see _losses), dL/dz of the output layer is simply a - y.
OUTPUT_ACTIVATIONS = {
    "identity": HIDDEN_ACTIVATIONS["identity"],
    "logistic": HIDDEN_ACTIVATIONS["logistic"],
    "softmax": Activation(
        "softmax",
        _softmax,
        description="exp(z_k) / sum_j exp(z_j)",
        onnx=_onnx_op("Softmax", axis=1),
    ),
    "exp": Activation("exp", _exp, description="exp(z)", onnx=_onnx_op("Exp")),
}
