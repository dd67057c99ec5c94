"""Ensemble members sharing one network, in the manner of TabM-mini.

k members share every hidden layer; each has its own multiplicative adapter
r_m on the input and its own output head (Gorishniy et al., "TabM", 2025).
A batch of n rows travels through the shared layers as k n rows, member m's
copy in rows m n .. (m + 1) n - 1::

    A_m = X * r_m                           MemberScale: (n, d) -> (k n, d)
    ... shared layers, row by row ...
    Z_m = H_m @ W_m / sqrt(h) + b_m         MemberDense: one head per member
    Z = mean over m                         MemberMean, when predicting

Training minimises the mean of the members' losses on the same rows (the
objective repeats the targets k times), so the shared weights follow the
average of the members' gradients while dropout masks, adapters and heads
differ. Predictions average the members' probabilities (classification) or
values (regression). The members cost k times the shared layers' compute.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from ._layers import Dense, ParamSpec


@dataclass(frozen=True)
class MemberScale:
    """A_m = X * r_m: the input repeated for k members, one factor per column each.

    TabM starts the adapters r_m at random signs, so the members differ from
    the first step. Trainable, they play the scaling layer's part (RealMLP-TD's
    learning-rate factor 6); frozen, they only tell the members apart.
    """

    n_in: int
    n_members: int
    trainable: bool = True

    @property
    def n_out(self):
        """Return the output width, the input width."""
        return self.n_in

    @property
    def parameters(self):
        """Return the adapters r, one row per member."""
        shape = (self.n_members, self.n_in)
        if not self.trainable:
            return {"scale": ParamSpec(shape, lr_factor=0.0, weight_decay_factor=0.0)}
        return {"scale": ParamSpec(shape, lr_factor=6.0)}

    def init(self, params, X, rng):
        """Draw every factor as +1 or -1 with equal chance."""
        shape = params["scale"].shape
        params["scale"][...] = rng.choice((-1.0, 1.0), size=shape)

    def forward(self, params, X, training):
        """Return the k blocks X * r_m one under the other; X is the cache."""
        r = params["scale"]
        return (X[None, :, :] * r[:, None, :]).reshape(-1, self.n_in), X

    def backward(self, params, X, delta, grads):
        """Write dL/dr_m = sum_i x_i * delta_mi; return dL/dX = sum_m delta_m * r_m."""
        blocks = delta.reshape(self.n_members, *X.shape)
        np.einsum("mij,ij->mj", blocks, X, out=grads["scale"])
        return np.einsum("mij,mj->ij", blocks, params["scale"])


@dataclass(frozen=True)
class MemberDense:
    """Z_m = H_m @ W_m / sqrt(n_in) + b_m: a ``Dense`` output head per member.

    Each head is initialised as ``Dense`` is, on its own member's rows, and
    has ``Dense``'s learning-rate and weight-decay factors.
    """

    n_in: int
    n_out: int
    n_members: int

    @property
    def parameters(self):
        """Return the groups W and b, one slice per member."""
        single = Dense(self.n_in, self.n_out).parameters
        return {
            name: spec._replace(shape=(self.n_members, *spec.shape))
            for name, spec in single.items()
        }

    def init(self, params, X, rng):
        """Initialise each member's head on its own block of rows of X."""
        single = Dense(self.n_in, self.n_out)
        for m, H in enumerate(X.reshape(self.n_members, -1, self.n_in)):
            single.init({"W": params["W"][m], "b": params["b"][m]}, H, rng)

    def forward(self, params, X, training):
        """Return the members' Z_m one under the other; the blocks H_m are the cache."""
        H = X.reshape(self.n_members, -1, self.n_in)
        Z = H @ params["W"]
        Z *= 1 / math.sqrt(self.n_in)
        Z += params["b"][:, None, :]
        return Z.reshape(-1, self.n_out), H

    def backward(self, params, H, delta, grads):
        """Write dL/dW_m = H_m.T @ delta_m / sqrt(n_in), dL/db_m; return dL/dH."""
        c = 1 / math.sqrt(self.n_in)
        blocks = delta.reshape(self.n_members, -1, self.n_out)
        np.matmul(H.transpose(0, 2, 1), blocks, out=grads["W"])
        grads["W"] *= c
        np.sum(blocks, axis=1, out=grads["b"])
        dH = blocks @ params["W"].transpose(0, 2, 1)
        dH *= c
        return dH.reshape(-1, self.n_in)


@dataclass(frozen=True)
class MemberMean:
    """The members' mean when predicting; each member alone when training.

    For classification (``probabilities``) Z holds logits, and the mean is
    taken of the probabilities: log(mean_m softmax(Z_m)), whose softmax is
    that mean. For regression it is the mean of the values.
    """

    n_in: int
    n_members: int
    probabilities: bool

    @property
    def n_out(self):
        """Return the output width, the input width."""
        return self.n_in

    @property
    def parameters(self):
        """Return no groups: averaging learns nothing."""
        return {}

    def init(self, params, X, rng):
        """Nothing to initialise."""

    def forward(self, params, X, training):
        """Return X while training, else the members' mean of n rows."""
        if training is not None:
            return X, None
        Z = X.reshape(self.n_members, -1, self.n_in)
        if not self.probabilities:
            return Z.mean(axis=0), None
        log_p = Z - logsumexp(Z, axis=2, keepdims=True)
        return logsumexp(log_p, axis=0) - math.log(self.n_members), None

    def backward(self, params, cache, delta, grads):
        """Return delta: while training, each member's output is its own."""
        return delta


MEMBER_LAYERS = (MemberScale, MemberDense, MemberMean)


def member_head(n_in, n_out, n_members, probabilities):
    """Return the layers that end a network of members: the heads, then the mean."""
    return [
        MemberDense(n_in, n_out, n_members),
        MemberMean(n_out, n_members, probabilities),
    ]
