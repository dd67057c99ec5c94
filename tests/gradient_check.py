"""Central finite differences, the oracle of every hand-written gradient."""

import numpy as np
from numpy.testing import assert_allclose
from plain_forward import pre_activations

STEP = 1e-6
# The central difference is exact up to O(STEP**2) plus rounding of J / STEP.
RTOL, ATOL = 1e-6, 1e-8
# No pre-activation or residual lies closer than this to a kink, so a step of
# STEP never crosses one.
MARGIN = 1e-3
MAX_TRIES = 1000


def central_difference(function, x, step=STEP):
    """Return the central-difference estimate of d function / dx, entry by entry."""
    numeric = np.empty_like(x)
    for index in np.ndindex(x.shape):
        shift = np.zeros_like(x)
        shift[index] = step
        numeric[index] = (function(x + shift) - function(x - shift)) / (2 * step)
    return numeric


def params_away_from_kinks(network, batch, seed, kinks=(), masks=None, scale=0.5):
    """Return N(0, scale^2) parameters with every z and residual MARGIN from a kink.

    Hidden pre-activations stay away from 0 (relu-like activations) and the
    output residuals a_L - y = z_L - y (identity output) away from ``kinks``,
    so a central difference of STEP never crosses a kink. Draws are repeated
    from the same seeded generator, at most MAX_TRIES times.
    """
    rng = np.random.RandomState(seed)
    for _ in range(MAX_TRIES):
        params = rng.normal(scale=scale, size=network.layout.size)
        *hidden, output = pre_activations(network, params, batch.X, masks)
        residuals = output - batch.Y
        if all(np.abs(z).min() > MARGIN for z in hidden) and all(
            np.abs(residuals - kink).min() > MARGIN for kink in kinks
        ):
            return params
    raise AssertionError(f"no parameters away from the kinks in {MAX_TRIES} draws")


def value_and_gradient(objective, params, batch):
    """Return J and a fresh gradient array; a NaN prefill exposes unwritten entries."""
    grads = np.full_like(params, np.nan)
    value = objective.loss_and_gradients(params, batch, grads)
    return value, grads


def finite_difference_gradient(make_objective, params, batch):
    """Return the central difference of J, with a new objective for every call."""

    def value_at(point):
        return value_and_gradient(make_objective(), point, batch)[0]

    return central_difference(value_at, params)


def assert_gradient_matches(make_objective, params, batch):
    """Assert that J is finite and its gradient equals the central difference."""
    value, grads = value_and_gradient(make_objective(), params, batch)
    numeric = finite_difference_gradient(make_objective, params, batch)
    assert np.isfinite(value)
    assert np.isfinite(grads).all()
    assert_allclose(grads, numeric, rtol=RTOL, atol=ATOL)
