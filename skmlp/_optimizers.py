"""Update rules for the stochastic solvers: SGD with momentum, and Adam.

An optimiser owns its state (velocity, moments, learning rate) as flat vectors
shaped like the parameter buffer, and ``step(params, grads)`` updates
``params`` in place. Deciding when to stop is the solver's job.
"""

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
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._scaled_grads = np.empty(n_params, dtype=dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        np.multiply(grads, self.learning_rate, out=self._scaled_grads)
        self.velocity *= self.momentum
        self.velocity -= self._scaled_grads  # v = momentum * v - lr * g
        if self.nesterov:
            params += self.momentum * self.velocity
            params -= self._scaled_grads  # p += momentum * v - lr * g
        else:
            params += self.velocity

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
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self._work = np.empty(n_params, dtype=dtype)

    def step(self, params, grads):
        """Move ``params`` one step against ``grads``, in place."""
        self.t += 1
        work = self._work
        self.m *= self.beta_1
        np.multiply(grads, 1 - self.beta_1, out=work)
        self.m += work  # m = beta_1 * m + (1 - beta_1) * g
        self.v *= self.beta_2
        np.multiply(grads, grads, out=work)
        work *= 1 - self.beta_2
        self.v += work  # v = beta_2 * v + (1 - beta_2) * g**2
        self.learning_rate = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(self.v, out=work)
        work += self.epsilon
        np.divide(self.m, work, out=work)
        work *= self.learning_rate
        params -= work  # p -= lr_t * m / (sqrt(v) + epsilon)

    def end_epoch(self, t):
        """Adam keeps its step size across epochs."""

    def reduce_learning_rate(self):
        """Return False: Adam has no schedule to fall back on."""
        return False


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
