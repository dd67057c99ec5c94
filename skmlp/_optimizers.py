"""Update rules for the stochastic solvers: SGD with momentum, and Adam.

An optimiser owns its state (velocity, moments, learning rate) as flat vectors
shaped like the parameter buffer, and ``step(params, grads)`` updates
``params`` in place. Deciding when to stop is the solver's job.

Each update runs as a few whole-vector operations written into buffers
allocated once, in the same arithmetic order as scikit-learn's optimisers, so
that the same gradients give the same weights to the last bit.
"""

import math

import numpy as np


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
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._momentum_term = np.empty(n_params, dtype=dtype)
        self._gradient_term = np.empty(n_params, dtype=dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        v, momentum_term, gradient_term = (
            self.velocity,
            self._momentum_term,
            self._gradient_term,
        )
        np.multiply(grads, self.learning_rate, out=gradient_term)
        np.multiply(v, self.momentum, out=momentum_term)
        np.subtract(momentum_term, gradient_term, out=v)  # v = mu * v - lr * g
        if self.nesterov:
            np.multiply(v, self.momentum, out=momentum_term)
            momentum_term -= gradient_term
            params += momentum_term  # p += mu * v - lr * g
        else:
            params += v  # p += v

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
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self._step = np.empty(n_params, dtype=dtype)
        self._denominator = np.empty(n_params, dtype=dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        self.t += 1
        m, v, step, denominator = self.m, self.v, self._step, self._denominator
        m *= self.beta_1
        np.multiply(grads, 1 - self.beta_1, out=step)
        m += step  # m = beta_1 * m + (1 - beta_1) * g
        v *= self.beta_2
        np.multiply(grads, grads, out=step)
        step *= 1 - self.beta_2
        v += step  # v = beta_2 * v + (1 - beta_2) * g**2
        # A Python float, not np.float64: a numpy float64 scalar would make every
        # operation on float32 vectors run in float64 and cast back.
        self.learning_rate = (
            self.learning_rate_init
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(v, out=denominator)
        denominator += self.epsilon
        np.multiply(m, -self.learning_rate, out=step)
        step /= denominator
        params += step  # p += -lr_t * m / (sqrt(v) + epsilon)

    def end_epoch(self, t):
        """Adam keeps its step size across epochs."""

    def reduce_learning_rate(self):
        """Return False: Adam has no schedule to fall back on."""
        return False


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
