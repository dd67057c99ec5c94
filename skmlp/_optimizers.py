"""Update rules for the stochastic solvers: SGD with momentum, and Adam.

An optimiser owns its state (velocity, moments, learning rate) as flat vectors
shaped like the parameter buffer, and ``step(params, grads)`` updates
``params`` in place. Deciding when to stop is the solver's job.

Each update runs as a few whole-vector operations, in place or into buffers
allocated once; every ``y += a * x`` is a single BLAS pass (``add_scaled``),
and the velocity and moments, which decay by a constant factor every step, are
``ScaledVector``s whose decay costs no pass. The formulas are scikit-learn's, so
the same gradients give the same weights up to rounding.
"""

import math

import numpy as np

from ._vectors import ScaledVector, add_scaled


def _shallow_copy(optimizer):
    """Return a new optimiser sharing every attribute with ``optimizer``.

    Faster than ``copy.copy``, which matters as the solver copies the
    optimiser after every epoch.
    """
    twin = object.__new__(type(optimizer))
    twin.__dict__.update(optimizer.__dict__)
    return twin


class SGD:
    """Stochastic gradient descent with (Nesterov) momentum and a schedule.

    ``learning_rate`` is 'constant', 'invscaling' (``lr_0 / (t + 1) ** power_t``
    after every epoch, t counting samples) or 'adaptive' (divided by 5 whenever
    training stalls, see ``reduce_learning_rate``).
    """

    def __init__(self, n_params, dtype, settings):
        self.learning_rate_init = settings.learning_rate_init
        self.learning_rate = float(settings.learning_rate_init)
        self.schedule = settings.learning_rate
        self.momentum = settings.momentum
        self.nesterov = settings.nesterovs_momentum
        self.power_t = settings.power_t
        self.dtype = np.dtype(dtype)
        self.velocity = ScaledVector(n_params, dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        v, mu, lr = self.velocity, self.momentum, self.learning_rate
        v.multiply_by(mu)
        v.add_scaled(-lr, grads)  # v = mu * v - lr * g
        if self.nesterov:
            add_scaled(params, mu * v.scale, v.values)
            add_scaled(params, -lr, grads)  # p += mu * v - lr * g
        else:
            add_scaled(params, v.scale, v.values)  # p += v

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        twin = _shallow_copy(self)
        twin.velocity = self.velocity.copy()
        return twin

    def end_epoch(self, t):
        """Update the learning rate after an epoch; ``t`` counts samples seen."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def reduce_learning_rate(self):
        """Return whether training may go on with a smaller learning rate."""
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return False
        self.learning_rate /= 5.0
        return True


class Adam:
    """Adam (Kingma and Ba, 2014) with bias-corrected step size."""

    def __init__(self, n_params, dtype, settings):
        self.learning_rate_init = settings.learning_rate_init
        self.learning_rate = float(settings.learning_rate_init)
        self.beta_1 = settings.beta_1
        self.beta_2 = settings.beta_2
        self.epsilon = settings.epsilon
        self.t = 0
        self.dtype = np.dtype(dtype)
        self.m = ScaledVector(n_params, dtype)
        self.v = ScaledVector(n_params, dtype)
        self._work = np.empty(n_params, dtype=dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        self.t += 1
        m, v, work = self.m, self.v, self._work
        m.multiply_by(self.beta_1)
        m.add_scaled(1 - self.beta_1, grads)  # m = beta_1 * m + (1 - beta_1) * g
        v.multiply_by(self.beta_2)
        np.multiply(grads, grads, out=work)
        v.add_scaled(1 - self.beta_2, work)  # v = beta_2 * v + (1 - beta_2) * g**2
        # A Python float, not np.float64: a numpy float64 scalar would make every
        # operation on float32 vectors run in float64 and cast back.
        self.learning_rate = (
            self.learning_rate_init
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        # p -= lr_t m / (sqrt(v) + eps); with m = s_m M and v = s_v V (scale and
        # values) that is p -= lr_t s_m / sqrt(s_v) * M / (sqrt(V) + eps / sqrt(s_v)).
        root = math.sqrt(v.scale)
        np.sqrt(v.values, out=work)
        work += self.epsilon / root
        np.divide(m.values, work, out=work)
        add_scaled(params, -self.learning_rate * m.scale / root, work)

    def copy(self):
        """Return an independent copy, to go back to this state later."""
        twin = _shallow_copy(self)
        twin.m, twin.v = self.m.copy(), self.v.copy()
        twin._work = np.empty_like(self._work)  # scratch: nothing to copy
        return twin

    def end_epoch(self, t):
        """Adam keeps its step size across epochs."""

    def reduce_learning_rate(self):
        """Return False: Adam has no schedule to fall back on."""
        return False


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
