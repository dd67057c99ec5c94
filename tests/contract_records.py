"""Throwaway records of each registry, for the contract tests.

Each is what a contributor would write to add an activation, a regression
loss, an optimiser or a schedule: one record in one module, and no other edit.
``register_all(monkeypatch)`` puts all four into their registries for a test.
"""

from skmlp._activations import HIDDEN_ACTIVATIONS, Activation
from skmlp._arrays import array_ops
from skmlp._losses import REGRESSION_LOSSES, Loss, RegressionLoss, _mean_over_samples
from skmlp._optimizers import OPTIMIZERS, OptimizerRecord
from skmlp._schedules import SCHEDULES, ScheduleRecord
from skmlp._vectors import decay_and_add


def _softsign(z):
    z /= 1 + array_ops(z).abs(z)  # a = z / (1 + |z|)


def _softsign_derivative(a, delta):
    # f'(z) = 1 / (1 + |z|)^2 = (1 - |a|)^2
    delta *= (1 - array_ops(a).abs(a)) ** 2


def _softsign_onnx(graph, z):
    one_plus = graph.node("Add", graph.node("Abs", z), graph.constant(1.0))
    return graph.node("Div", z, one_plus)


SOFTSIGN = Activation(
    "softsign",
    _softsign,
    _softsign_derivative,
    description="z / (1 + abs(z))",
    skmlp_only=True,
    onnx=_softsign_onnx,
)


def _log_cosh(Y, A, sample_weight=None):
    r = A - Y
    xp = array_ops(r)
    # log cosh r = |r| + log(1 + exp(-2 |r|)) - log 2, finite for any r
    per_element = xp.abs(r) + xp.log(1 + xp.exp(-2 * xp.abs(r))) - 0.6931471805599453
    return _mean_over_samples(per_element, sample_weight)


def _log_cosh_delta(A, Y, out):
    # dL/da = tanh(a - y)
    xp = array_ops(A)
    xp.subtract(A, Y, out=out)
    return xp.tanh(out, out=out)


def _check_bounded(Y):
    if (abs(Y) > 1e6).any():
        raise ValueError("loss='log_cosh' takes targets of magnitude at most 1e6.")


LOG_COSH = RegressionLoss(
    "log_cosh",
    lambda: Loss("log_cosh", "identity", _log_cosh, _log_cosh_delta),
    "log(cosh(a - y)), with an identity output",
    skmlp_only=True,
    check_targets=_check_bounded,
)


def _heavy_ball_init(params, *, momentum):
    zeros = array_ops(params).zeros(params.shape, params.dtype, like=params)
    return {"momentum": momentum, "velocity": {"values": zeros, "scale": 1.0}}


def _heavy_ball_update(params, grads, state, learning_rate):
    xp, velocity = array_ops(params), state["velocity"]
    decay_and_add(velocity, state["momentum"], 1.0, grads, xp)  # v = mu v + g
    xp.add_scaled(params, -learning_rate * velocity["scale"], velocity["values"])


HEAVY_BALL = OptimizerRecord(
    _heavy_ball_init,
    _heavy_ball_update,
    {"momentum": "momentum"},
    "Polyak's heavy ball: v = momentum * v + g, then p -= eta * v.",
)


def _halve(state, t):
    return state["rate"] / 2


HALVING = ScheduleRecord(
    lambda settings: {"rate": float(settings.learning_rate_init)},
    "eta halves after every epoch.",
    after_epoch=_halve,
    skmlp_only=True,
)

RECORDS = {
    "activation": (HIDDEN_ACTIVATIONS, "softsign", SOFTSIGN),
    "loss": (REGRESSION_LOSSES, "log_cosh", LOG_COSH),
    "optimizer": (OPTIMIZERS, "heavy_ball", HEAVY_BALL),
    "schedule": (SCHEDULES, "halving", HALVING),
}

#: Estimator parameters that use every throwaway record at once.
PARAMETERS = {
    "activation": "softsign",
    "solver": "heavy_ball",
    "learning_rate": "halving",
    "learning_rate_init": 0.01,
}


def register_all(monkeypatch):
    """Put every throwaway record into its registry until the test ends."""
    for registry, name, record in RECORDS.values():
        monkeypatch.setitem(registry, name, record)
