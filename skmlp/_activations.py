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
    """

    name: str
    function: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None] | None = None
    derivative_takes: str = "a"
    description: str = ""
    skmlp_only: bool = False


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


def _relu(z):
    array_ops(z).maximum(z, 0, out=z)


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
    z -= xp.max(z, axis=1, keepdims=True)
    xp.exp(z, out=z)
    z /= xp.sum(z, axis=1, keepdims=True)


def _exp(z):
    array_ops(z).exp(z, out=z)


HIDDEN_ACTIVATIONS = {
    activation.name: activation
    for activation in (
        Activation(
            "identity",
            _identity,
            _identity_derivative,
            description="z, no nonlinearity (a linear bottleneck layer)",
        ),
        Activation(
            "logistic",
            _logistic,
            _logistic_derivative,
            description="1 / (1 + exp(-z)), the logistic sigmoid",
        ),
        Activation("tanh", _tanh, _tanh_derivative, description="tanh(z)"),
        Activation("relu", _relu, _relu_derivative, description="max(0, z)"),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _leaky_relu_derivative,
            description=f"max(z, {_LEAKY_SLOPE} z)",
            skmlp_only=True,
        ),
        Activation(
            "elu",
            _elu,
            _elu_derivative,
            description="z where z > 0, else exp(z) - 1",
            skmlp_only=True,
        ),
        Activation(
            "softplus",
            _softplus,
            _softplus_derivative,
            description="log(1 + exp(z)), a smooth relu",
            skmlp_only=True,
        ),
        Activation(
            "silu",
            _silu,
            _silu_derivative,
            derivative_takes="z",
            description="z / (1 + exp(-z)), also called swish",
            skmlp_only=True,
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
    "softmax": Activation("softmax", _softmax, description="exp(z_k) / sum_j exp(z_j)"),
    "exp": Activation("exp", _exp, description="exp(z)"),
}
