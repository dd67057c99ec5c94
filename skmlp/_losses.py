"""Loss functions, each paired with the output activation that makes it simple.

Each loss is the canonical partner of its output activation: for
softmax + log loss, logistic + binary log loss, identity + squared error and
exp + Poisson deviance, the derivative of the loss with respect to the output
layer's pre-activation ``z_L`` is ``a_L - y``. That pairing is what the
default ``Loss.output_delta`` relies on. The robust regression losses
(absolute error, Huber, quantile) use the identity output, so dL/dz_L is their
own dL/da, which they supply.

Every ``value`` is a weighted mean over samples of the loss summed over outputs.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from ._arrays import array_ops


def canonical_delta(A, Y, out):
    """Write ``dL/dz_L = a_L - y`` into ``out`` (canonical link) and return it."""
    return array_ops(A).subtract(A, Y, out=out)


@dataclass(frozen=True)
class Loss:
    """A loss ``L(y, a)``, its output activation and ``dL/dz_L`` written into out."""

    name: str
    output_activation: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]
    output_delta: Callable = field(default=canonical_delta)


def _mean_over_samples(per_element, sample_weight):
    """Return the (weighted) mean over rows of the row sums of ``per_element``.

    A Python float for numpy arrays; for other libraries a 0-d array left on
    the device (see ``_arrays``).
    """
    xp = array_ops(per_element)
    if sample_weight is None:
        return xp.scalar(xp.sum(per_element) / per_element.shape[0])
    row_sums = xp.sum(per_element, axis=1)
    return xp.scalar(sample_weight @ row_sums / xp.sum(sample_weight))


def half_squared_error(Y, A, sample_weight=None):
    """Return 1/2 (y - a)**2 summed over outputs, averaged over samples."""
    return 0.5 * _mean_over_samples((Y - A) ** 2, sample_weight)


def half_poisson_deviance(Y, A, sample_weight=None):
    """Return y log(y / a) - y + a summed over outputs, averaged over samples."""
    xlogy = array_ops(A).xlogy
    return _mean_over_samples(xlogy(Y, Y / A) - Y + A, sample_weight)


def log_loss(Y, P, sample_weight=None):
    """Return the cross-entropy -sum_k y_k log p_k, averaged over samples.

    P is clipped to [eps, 1 - eps], as scikit-learn clips it, so that a
    probability rounded to 0 gives a large loss rather than an infinite one.
    """
    xp = array_ops(P)
    eps = xp.finfo(P.dtype).eps
    P = xp.minimum(xp.maximum(P, eps), 1 - eps)
    # y log p, which is 0 where y is: p is clipped, so log p is finite.
    return -_mean_over_samples(Y * xp.log(P), sample_weight)


def binary_log_loss(Y, P, sample_weight=None):
    """Return -y log p - (1 - y) log(1 - p) summed over outputs, averaged.

    P is clipped to [eps, 1 - eps], as in ``log_loss``.
    """
    xp = array_ops(P)
    eps = xp.finfo(P.dtype).eps
    P = xp.minimum(xp.maximum(P, eps), 1 - eps)
    return -_mean_over_samples(xp.xlogy(Y, P) + xp.xlogy(1 - Y, 1 - P), sample_weight)


def absolute_error(Y, A, sample_weight=None):
    """Return |y - a| summed over outputs, averaged over samples."""
    return _mean_over_samples(array_ops(A).abs(Y - A), sample_weight)


def _absolute_error_delta(A, Y, out):
    # dL/da = sign(a - y)
    xp = array_ops(A)
    xp.subtract(A, Y, out=out)
    return xp.sign(out, out=out)


def huber_loss(huber_delta):
    """Return the Huber loss: r**2 / 2 if |r| <= delta, else delta (|r| - delta/2)."""

    def value(Y, A, sample_weight=None):
        xp = array_ops(A)
        r = xp.abs(Y - A)
        quadratic = xp.minimum(r, huber_delta)
        per_element = quadratic * (r - 0.5 * quadratic)
        return _mean_over_samples(per_element, sample_weight)

    def output_delta(A, Y, out):
        # dL/da = clip(a - y, -delta, delta)
        xp = array_ops(A)
        xp.subtract(A, Y, out=out)
        return xp.clip(out, -huber_delta, huber_delta, out=out)

    return Loss("huber", "identity", value, output_delta)


def quantile_loss(quantile):
    """Return the pinball loss: q (y - a) where y >= a, else (1 - q) (a - y)."""

    def value(Y, A, sample_weight=None):
        r = Y - A
        per_element = array_ops(A).maximum(quantile * r, (quantile - 1) * r)
        return _mean_over_samples(per_element, sample_weight)

    def output_delta(A, Y, out):
        # dL/da = 1{a > y} - q
        array_ops(A).greater(A, Y, out=out)
        out -= quantile
        return out

    return Loss("quantile", "identity", value, output_delta)


LOSSES = {
    loss.name: loss
    for loss in (
        Loss("squared_error", "identity", half_squared_error),
        Loss("poisson", "exp", half_poisson_deviance),
        Loss("log_loss", "softmax", log_loss),
        Loss("binary_log_loss", "logistic", binary_log_loss),
        Loss("absolute_error", "identity", absolute_error, _absolute_error_delta),
    )
}


@dataclass(frozen=True)
class RegressionLoss:
    """An option of MLPRegressor's ``loss``: how to build its Loss, and its docs.

    ``build`` returns the Loss record, given the values of the estimator
    parameters named in ``parameters`` as keyword arguments. ``description``
    is the text the docstring lists for the option (plain text, safe in
    reStructuredText), and ``skmlp_only`` marks an option scikit-learn's
    MLPRegressor does not offer. ``check_targets(Y)``, when given, raises a
    ValueError for targets the loss cannot take.
    """

    name: str
    build: Callable[..., Loss]
    description: str
    parameters: tuple[str, ...] = ()
    skmlp_only: bool = False
    check_targets: Callable[[np.ndarray], None] | None = None


def _check_not_negative(Y):
    if (Y < 0).any():
        raise ValueError(
            "Some value(s) of y are negative which is not allowed for loss='poisson'."
        )


def _fixed(name):
    """Return a builder of the parameterless loss ``LOSSES[name]``."""
    return lambda: LOSSES[name]


REGRESSION_LOSSES = {
    option.name: option
    for option in (
        RegressionLoss(
            "squared_error",
            _fixed("squared_error"),
            "half the squared error (y - a)^2 / 2, with an identity output; "
            "predicts the conditional mean",
        ),
        RegressionLoss(
            "poisson",
            _fixed("poisson"),
            "half the Poisson deviance y log(y / a) - y + a, with an exponential "
            "output a = exp(z) so that predictions are positive; needs y >= 0",
            check_targets=_check_not_negative,
        ),
        RegressionLoss(
            "absolute_error",
            _fixed("absolute_error"),
            "abs(y - a), with an identity output; predicts the conditional "
            "median and is robust to outliers",
            skmlp_only=True,
        ),
        RegressionLoss(
            "huber",
            huber_loss,
            "r^2 / 2 where abs(r) <= huber_delta, else huber_delta (abs(r) - "
            "huber_delta / 2), with r = y - a and an identity output: the "
            "squared error for small residuals, the absolute error for large ones",
            parameters=("huber_delta",),
            skmlp_only=True,
        ),
        RegressionLoss(
            "quantile",
            quantile_loss,
            "the pinball loss max(q r, (q - 1) r), with r = y - a, q = quantile "
            "and an identity output; predicts the conditional q-quantile",
            parameters=("quantile",),
            skmlp_only=True,
        ),
    )
}


def regression_loss(name, **parameters):
    """Return the Loss record of MLPRegressor's ``loss=name``.

    ``parameters`` are estimator parameters (as ``get_params`` gives them);
    the option reads those it names.
    """
    option = REGRESSION_LOSSES[name]
    return option.build(**{key: parameters[key] for key in option.parameters})


def smoothed_targets(Y, smoothing, output_activation):
    """Return (1 - eps) y + eps / K: the targets moved a share eps to uniform.

    K is the number of classes for a softmax output; each column of a
    logistic output chooses between two (K = 2).
    """
    n_choices = Y.shape[1] if output_activation == "softmax" else 2
    return (1 - smoothing) * Y + smoothing / n_choices


def _smoothed_value(loss, smoothing, Y, A, sample_weight=None):
    Y = smoothed_targets(Y, smoothing, loss.output_activation)
    return loss.value(Y, A, sample_weight)


def _smoothed_delta(loss, smoothing, A, Y, out):
    Y = smoothed_targets(Y, smoothing, loss.output_activation)
    return loss.output_delta(A, Y, out=out)


def with_label_smoothing(loss, smoothing):
    """Return the log loss ``loss`` measured against smoothed targets.

    With soft targets the canonical delta ``a - y'`` still holds, so
    backprop is unchanged.
    """
    return replace(
        loss,
        value=partial(_smoothed_value, loss, smoothing),
        output_delta=partial(_smoothed_delta, loss, smoothing),
    )
