"""Activation functions, each beside its derivative.

Every function works in place on the pre-activation ``z`` and leaves ``a = f(z)``
there. Every derivative multiplies a backpropagated ``delta`` in place by
``f'(z)``, written in terms of the layer's output ``a`` so that nothing from the
forward pass has to be recomputed.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit


@dataclass(frozen=True)
class Activation:
    """An activation function ``a = f(z)`` and its derivative ``f'`` given ``a``."""

    name: str
    function: Callable[[np.ndarray], None]
    derivative: Callable[[np.ndarray, np.ndarray], None] | None = None


def _identity(z):
    pass


def _identity_derivative(a, delta):
    pass


def _logistic(z):
    expit(z, out=z)


def _logistic_derivative(a, delta):
    # f'(z) = a * (1 - a)
    delta *= a
    delta *= 1 - a


def _tanh(z):
    np.tanh(z, out=z)


def _tanh_derivative(a, delta):
    # f'(z) = 1 - a**2
    delta *= 1 - a * a


def _relu(z):
    np.maximum(z, 0, out=z)


def _relu_derivative(a, delta):
    # f'(z) = 1 where a > 0, else 0
    delta *= a > 0


def _softmax(z):
    # Subtracting the row maximum leaves softmax unchanged and keeps exp finite.
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def _exp(z):
    np.exp(z, out=z)


HIDDEN_ACTIVATIONS = {
    activation.name: activation
    for activation in (
        Activation("identity", _identity, _identity_derivative),
        Activation("logistic", _logistic, _logistic_derivative),
        Activation("tanh", _tanh, _tanh_derivative),
        Activation("relu", _relu, _relu_derivative),
    )
}

# Output activations need no derivative of their own: paired with their loss
# (see _losses), dL/dz of the output layer is simply a - y.
OUTPUT_ACTIVATIONS = {
    "identity": HIDDEN_ACTIVATIONS["identity"],
    "logistic": HIDDEN_ACTIVATIONS["logistic"],
    "softmax": Activation("softmax", _softmax),
    "exp": Activation("exp", _exp),
}
