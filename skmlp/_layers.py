"""Layers of the tabular networks, each forward pass beside its backward pass.

A layer maps its input X, of shape (n_samples, n_in), to A, of shape
(n_samples, n_out). Given delta = dL/dA, ``backward`` writes dL/dtheta of its
parameters theta into gradient views and returns dL/dX for the layer below.

Every layer is a small immutable record offering

- ``n_in``, ``n_out`` and ``parameters``: name -> ``ParamSpec`` (shape, and the
  learning-rate and weight-decay factors RealMLP-TD gives that group);
- ``init(params, X, rng)``: fill the parameter views ``params`` (name -> array,
  views into the network's one flat buffer) in place; X is the layer's input on
  the training data, for the data-dependent initialisations;
- ``forward(params, X, training)``: return (A, cache); ``training`` is None when
  predicting, else a ``Training`` (random generator and progress t in [0, 1]);
- ``backward(params, cache, delta, grads)``: write into the views ``grads``,
  return dL/dX.

The layers and their defaults are RealMLP-TD's (Holzmueller et al., 2024), read
from pytabkit's ``models/nn_models`` and ``models/sklearn/default_params.py``;
each docstring gives the facts. The learning-rate factors multiply the global
rate of the group's Adam step. The weight-decay factors apply to decoupled
weight decay, a step theta *= 1 - lr * wd outside the gradient; neither is the
objective's business (see ``_tabular_network``).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._tabular_schedules import flat_cos


class ParamSpec(NamedTuple):
    """Shape of a parameter group and RealMLP-TD's factors for it."""

    shape: tuple[int, ...]
    lr_factor: float = 1.0
    weight_decay_factor: float = 1.0


class Training(NamedTuple):
    """What a training forward pass needs besides the data."""

    rng: np.random.Generator
    progress: float = 0.0


@dataclass(frozen=True)
class Nonlinearity:
    """A function f and its derivative f', both of the input x."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


# SELU's constants (Klambauer et al., 2017), as torch.selu uses them.
_SELU_SCALE = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772


def _selu(x):
    # f(x) = scale * x for x > 0, scale * alpha * (exp(x) - 1) otherwise, written
    # as the sum of both branches, each 0 outside its half: no per-entry choice.
    f = np.expm1(np.minimum(x, 0.0))
    f *= _SELU_SCALE * _SELU_ALPHA
    positive = np.maximum(x, 0.0)
    positive *= _SELU_SCALE
    f += positive
    return f


def _selu_derivative(x):
    # f'(x) = scale for x > 0, scale * alpha * exp(x) otherwise; exp(min(x, 0))
    # is 1 for x > 0, where the step adds scale - scale * alpha.
    slope = np.exp(np.minimum(x, 0.0))
    slope *= _SELU_SCALE * _SELU_ALPHA
    step = np.greater(x, 0).astype(x.dtype)
    step *= _SELU_SCALE * (1 - _SELU_ALPHA)
    slope += step
    return slope


# Above this x, tanh(softplus(x)) is 1 to double precision.
_MISH_CAP = 20.0


def _mish_parts(x):
    # With u = e^x, tanh(softplus(x)) = tanh(log(1 + u)) = n / (n + 2) for
    # n = (1 + u)^2 - 1 = u (u + 2); 1 - tanh = 2 / (n + 2), exact for large n.
    u = np.exp(np.minimum(x, _MISH_CAP))
    n = u + 2
    n *= u
    denominator = n + 2
    return u, n / denominator, 2 / denominator


def _mish(x):
    # f(x) = x * tanh(softplus(x)), softplus(x) = log(1 + exp(x))
    _, tanh_sp, _ = _mish_parts(x)
    tanh_sp *= x
    return tanh_sp


def _mish_derivative(x):
    # f'(x) = t + x * expit(x) * (1 - t^2) with t = tanh(softplus(x)), as
    # d softplus / dx = expit(x) = u / (1 + u); 1 - t^2 = (1 - t) (1 + t).
    u, tanh_sp, one_minus = _mish_parts(x)
    slope = u / (1 + u)
    slope *= x
    slope *= one_minus
    slope *= 1 + tanh_sp
    slope += tanh_sp
    return slope


NONLINEARITIES = {
    "selu": Nonlinearity("selu", _selu, _selu_derivative),
    "mish": Nonlinearity("mish", _mish, _mish_derivative),
}


@dataclass(frozen=True)
class Scale:
    """A = X * s, one learnable factor per input column.

    RealMLP-TD puts it in front of the first dense layer (after the numeric
    embeddings and the one-hot columns), starts s at 1 and trains it with a
    learning-rate factor of 6: a cheap, learned feature selection.
    """

    n_in: int

    @property
    def n_out(self):
        """Return the output width, the input width."""
        return self.n_in

    @property
    def parameters(self):
        """Return the factor group s."""
        return {"scale": ParamSpec((self.n_in,), lr_factor=6.0)}

    def init(self, params, X, rng):
        """Start every factor at 1."""
        params["scale"][...] = 1.0

    def forward(self, params, X, training):
        """Return A = X * s; X is the cache."""
        return X * params["scale"], X

    def backward(self, params, X, delta, grads):
        """Write dL/ds = sum_i x_i * delta_i; return dL/dX = delta * s."""
        np.einsum("ij,ij->j", X, delta, out=grads["scale"])
        return delta * params["scale"]


@dataclass(frozen=True)
class PeriodicEmbedding:
    """RealMLP's "PBLD" numeric embedding, concatenated in front of the input.

    For every numeric column x_j (j in ``numeric``) and k = 1..16 frequencies::

        u_jk = 2 pi w_jk x_j + phi_jk,   c_jk = cos(u_jk)
        e_j = c_j @ V_j + beta_j          (16 -> 3 values, no activation)
        A = [e_1, ..., e_m, X]            (X passes through whole)

    Initialisation (pytabkit's ``PLREmbeddingsFactory`` with
    ``plr_use_cos_bias=True``, ``plr_act_name="linear"``,
    ``plr_use_densenet=True``): w ~ N(0, sigma^2) with sigma = 0.1, phases
    phi ~ U(-pi, pi), and V, beta ~ U(-1, 1) / sqrt(16) as a default torch
    linear layer. All four groups have learning-rate factor 0.1 and the full
    weight decay. pytabkit's "hidden_2 = 4" counts the 3 embedding values plus
    the raw x_j; the one-hot categorical columns come after them, as X does here.
    """

    n_in: int
    numeric: tuple[int, ...]
    n_frequencies: int = 16
    n_values: int = 3
    sigma: float = 0.1

    @property
    def n_out(self):
        """Return 3 values per numeric column, plus the input width."""
        return len(self.numeric) * self.n_values + self.n_in

    @property
    def parameters(self):
        """Return the groups w, phi (per frequency), V and beta (per value)."""
        m, k, e = len(self.numeric), self.n_frequencies, self.n_values
        return {
            "frequencies": ParamSpec((m, k), lr_factor=0.1),
            "phases": ParamSpec((m, k), lr_factor=0.1),
            "weights": ParamSpec((m, k, e), lr_factor=0.1),
            "biases": ParamSpec((m, e), lr_factor=0.1),
        }

    def init(self, params, X, rng):
        """Draw w, phi, V and beta as RealMLP-TD does."""
        bound = 1 / math.sqrt(self.n_frequencies)
        p = params
        p["frequencies"][...] = rng.normal(0.0, self.sigma, p["frequencies"].shape)
        p["phases"][...] = rng.uniform(-np.pi, np.pi, p["phases"].shape)
        p["weights"][...] = rng.uniform(-bound, bound, p["weights"].shape)
        p["biases"][...] = rng.uniform(-bound, bound, p["biases"].shape)

    def forward(self, params, X, training):
        """Return A = [e, X]; the cache keeps x (m, n), u and cos u (m, n, k)."""
        x = X[:, self.numeric].T  # (m, n): one row per numeric column
        U = 2 * np.pi * x[:, :, None] * params["frequencies"][:, None, :]
        U += params["phases"][:, None, :]
        C = np.cos(U)
        E = C @ params["weights"] + params["biases"][:, None, :]  # (m, n, e)
        n_samples = X.shape[0]
        embedded = E.transpose(1, 0, 2).reshape(n_samples, -1)
        return np.concatenate([embedded, X], axis=1), (x, U, C)

    def backward(self, params, cache, delta, grads):
        """Write dL/d(w, phi, V, beta); return dL/dX."""
        x, U, C = cache
        m, n_samples, e = len(self.numeric), x.shape[1], self.n_values
        dE = delta[:, : m * e].reshape(n_samples, m, e).transpose(1, 0, 2)
        grads["biases"][...] = dE.sum(axis=1)
        np.matmul(C.transpose(0, 2, 1), dE, out=grads["weights"])  # C_j.T @ dE_j
        dU = -np.sin(U) * (dE @ params["weights"].transpose(0, 2, 1))
        grads["phases"][...] = dU.sum(axis=1)
        # du/dw = 2 pi x, du/dx = 2 pi w
        grads["frequencies"][...] = 2 * np.pi * np.einsum("jn,jnk->jk", x, dU)
        dX = delta[:, m * e :].copy()
        dX[:, self.numeric] += (
            2 * np.pi * np.einsum("jnk,jk->nj", dU, params["frequencies"])
        )
        return dX


def _bias_through_data(Z, rng, n_points=5):
    """Return b with -b_j a random convex combination of n_points z_ij.

    RealMLP's "he+5" bias: each unit's kink starts at a random point of its
    pre-activations on the data, weighted by Exp(1) draws summing to 1.
    """
    n_samples, n_units = Z.shape
    rows = rng.integers(n_samples, size=(n_points, n_units))
    weights = rng.exponential(size=(n_points, n_units))
    weights /= weights.sum(axis=0)
    return -(weights * Z[rows, np.arange(n_units)]).sum(axis=0)


@dataclass(frozen=True)
class Dense:
    """Z = X @ W / sqrt(n_in) + b: RealMLP-TD's dense layer, NTK parametrisation.

    The factor 1 / sqrt(n_in) sits in the forward pass (pytabkit's
    ``weight_param="ntk"``), so W itself is of order 1 and an Adam step of
    size lr moves the effective weight by about lr / sqrt(n_in).

    Data-dependent initialisation, on the layer's input X over the training
    data (``weight_init_mode="std"``, ``bias_init_mode="he+5"``): W ~ N(0, 1),
    then each column of W is divided by the standard deviation of its unit's
    X @ W / sqrt(n_in), so every pre-activation starts with unit variance; b
    then puts each unit's zero at a random convex combination of 5 of its
    pre-activations. RealMLP-TD does this for the output layer too.

    Factors: W learning rate 1 and full weight decay; b learning rate 0.1 and
    no weight decay.
    """

    n_in: int
    n_out: int

    @property
    def parameters(self):
        """Return the groups W and b."""
        return {
            "W": ParamSpec((self.n_in, self.n_out)),
            "b": ParamSpec((self.n_out,), lr_factor=0.1, weight_decay_factor=0.0),
        }

    def init(self, params, X, rng):
        """Draw W, scale it to unit pre-activations on X, place b in the data."""
        W = params["W"]
        W[...] = rng.standard_normal(W.shape)
        Z = X @ W / math.sqrt(self.n_in)
        spread = Z.std(axis=0)
        spread[spread == 0] = 1.0  # a unit the data never moves keeps its draw
        W /= spread
        params["b"][...] = _bias_through_data(Z / spread, rng)

    def forward(self, params, X, training):
        """Return Z = X @ W / sqrt(n_in) + b; X is the cache."""
        Z = X @ params["W"]
        Z *= 1 / math.sqrt(self.n_in)
        Z += params["b"]
        return Z, X

    def backward(self, params, X, delta, grads):
        """Write dL/dW = X.T @ delta / sqrt(n_in), dL/db; return dL/dX."""
        c = 1 / math.sqrt(self.n_in)
        np.matmul(X.T, delta, out=grads["W"])
        grads["W"] *= c
        np.sum(delta, axis=0, out=grads["b"])
        return (delta @ params["W"].T) * c  # dL/dX = delta @ W.T / sqrt(n_in)


@dataclass(frozen=True)
class ParametricActivation:
    """A = X + a * (f(X) - X), one learnable a per unit.

    a = 1 gives f, a = 0 the identity, so training can make a unit more or less
    linear. RealMLP-TD uses f = SELU for classification and f = Mish for
    regression, starts a at 1 and trains it with learning-rate factor 0.1 and
    the full weight decay (which pulls a towards the identity).
    """

    n_in: int
    nonlinearity: Nonlinearity
    trainable: bool = True  # False keeps a at 1: the plain nonlinearity

    @property
    def n_out(self):
        """Return the output width, the input width."""
        return self.n_in

    @property
    def parameters(self):
        """Return the group a (neither stepped nor decayed when not trainable)."""
        if not self.trainable:
            frozen = ParamSpec((self.n_in,), lr_factor=0.0, weight_decay_factor=0.0)
            return {"mix": frozen}
        return {"mix": ParamSpec((self.n_in,), lr_factor=0.1)}

    def init(self, params, X, rng):
        """Start every a at 1: the plain nonlinearity."""
        params["mix"][...] = 1.0

    def forward(self, params, X, training):
        """Return A = X + a (f(X) - X); the cache keeps X and f(X) - X."""
        gap = self.nonlinearity.value(X) - X
        return X + params["mix"] * gap, (X, gap)

    def backward(self, params, cache, delta, grads):
        """Write dL/da = sum_i gap_i delta_i; return delta (1 + a (f'(X) - 1))."""
        X, gap = cache
        np.einsum("ij,ij->j", gap, delta, out=grads["mix"])
        return delta * (1 + params["mix"] * (self.nonlinearity.derivative(X) - 1))


@dataclass(frozen=True)
class Dropout:
    """Inverted dropout at rate p(t) = rate * schedule(t), t the training progress.

    While training, each entry is kept with probability 1 - p and then
    divided by 1 - p; predictions use A = X. RealMLP-TD drops after every
    hidden activation at rate 0.15 on the ``flat_cos`` schedule: 0.15 for the
    first half of training, then a half cosine down to 0.
    """

    n_in: int
    rate: float = 0.15
    schedule: Callable[[float], float] = flat_cos

    @property
    def n_out(self):
        """Return the output width, the input width."""
        return self.n_in

    @property
    def parameters(self):
        """Return no groups: dropout learns nothing."""
        return {}

    def init(self, params, X, rng):
        """Nothing to initialise."""

    def current_rate(self, training):
        """Return p(t) rounded to a multiple of 2^-16, 0 when predicting.

        16 random bits per entry decide it, a fraction of the cost of a
        random float.
        """
        if training is None:
            return 0.0
        return round(self.rate * self.schedule(training.progress) * 2**16) / 2**16

    def forward(self, params, X, training):
        """Return A = X * mask, mask holding 0 or 1 / (1 - p); mask is the cache."""
        p = self.current_rate(training)
        if p == 0:
            return X, None
        bits = training.rng.integers(0, 2**16, size=X.shape, dtype=np.uint16)
        mask = (bits >= p * 2**16).astype(X.dtype)
        mask *= 1 / (1 - p)
        return X * mask, mask

    def backward(self, params, mask, delta, grads):
        """Return dL/dX = delta * mask."""
        return delta if mask is None else delta * mask


LAYERS = (Scale, PeriodicEmbedding, Dense, ParametricActivation, Dropout)


def layer_record(layer):
    """Return the layer as plain data, its kind and fields: no skmlp type in it."""
    record = {"kind": type(layer).__name__, **vars(layer)}
    if isinstance(layer, ParametricActivation):
        record["nonlinearity"] = layer.nonlinearity.name
    if isinstance(layer, PeriodicEmbedding):
        record["numeric"] = [int(j) for j in layer.numeric]
    if isinstance(layer, Dropout):
        if layer.schedule is not flat_cos:
            raise ValueError("Only dropout on the flat_cos schedule can be saved.")
        del record["schedule"]
    return record


def layer_from_record(record, kinds):
    """Return the layer ``layer_record`` described; ``kinds`` maps names to types."""
    fields = dict(record)
    kind = kinds[fields.pop("kind")]
    if kind is ParametricActivation:
        fields["nonlinearity"] = NONLINEARITIES[fields["nonlinearity"]]
    if kind is PeriodicEmbedding:
        fields["numeric"] = tuple(fields["numeric"])
    return kind(**fields)
