"""The plan of one training call: every setting read once, every record looked up.

The estimator builds a ``Plan`` at the start of ``fit`` or ``partial_fit``
from its parameters (``get_params()``, never the estimator itself), the
checked data and the loss its targets need. The plan holds the array
operations of the data's library, the ``ObjectiveSpec``, the solver record and
the settings the loops read; everything below receives the plan. This is the
one place that knows which solver runs and what sets the solvers apart.
"""

import warnings
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._network import ParameterLayout
from ._objective import Dropout, ObjectiveSpec
from ._optimizers import OPTIMIZERS, UpdateRule
from ._schedules import SCHEDULES, ScheduleSettings, start_schedule
from ._sklearn_compat import Interval, Options, StrOptions
from ._solvers import SOLVERS, run_stochastic

#: The parameters both estimators share, as scikit-learn validates them; the
#: option sets are live views of the registries.
PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions(HIDDEN_ACTIVATIONS.keys())],
    "solver": [StrOptions(SOLVERS.keys())],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate": [StrOptions(SCHEDULES.keys())],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "scoring": [str, callable, None],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
}


class Plan(SimpleNamespace):
    """What one call trains and how; built by ``make_plan``, read below it.

    Its attributes are the estimator's parameters (``max_iter``, ``tol``,
    ``shuffle``, ...) and what the plan derived from them: ``ops`` (the array
    operations of X's library), ``spec`` (the ObjectiveSpec), ``stochastic``
    and ``run`` (the solver's loop), ``random_state`` (a RandomState),
    ``reset`` and ``incremental``. ``batch_size`` holds the parameter until
    ``for_rows`` resolves it to a number of rows.
    """

    def for_rows(self, n_samples, samples_seen):
        """Return a copy of the plan for mini-batches of ``n_samples`` training rows.

        The copy holds ``batch_size`` as a number of rows, and ``masks``: the
        Dropout of this call (drawing only when used), or None without dropout.
        ``samples_seen`` counts the samples earlier calls trained on.
        """
        size = self.batch_size
        if size == "auto":
            size = min(200, n_samples)
        elif size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped",
                stacklevel=6,
            )
        masks = None
        if self.dropout > 0:
            seed = self.random_state.randint(np.iinfo(np.int32).max)
            # partial_fit re-seeds from an int random_state on every call; mixing
            # in the number of samples seen so far gives each call new masks.
            rng = np.random.default_rng([seed, samples_seen])
            masks = Dropout(self.dropout, rng)
        rows = int(np.clip(size, 1, n_samples))
        return Plan(**{**vars(self), "batch_size": rows, "masks": masks})


def hidden_layer_sizes(parameters):
    """Return ``hidden_layer_sizes`` as a list, checking every size is positive."""
    sizes = parameters["hidden_layer_sizes"]
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    if min(sizes, default=1) <= 0:
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return sizes


def check_options(parameters, incremental):
    """Raise a ValueError for settings that cannot train together."""
    p = parameters
    if incremental and p["early_stopping"]:
        raise ValueError("partial_fit does not support early_stopping=True")
    if p["solver"] not in OPTIMIZERS:
        for name, value, does in (
            ("dropout", p["dropout"] > 0, "drops hidden units of mini-batches"),
            (
                "max_grad_norm",
                p["max_grad_norm"] is not None,
                "clips mini-batch gradients",
            ),
        ):
            if value:
                raise ValueError(
                    f"{name}={p[name]} {does}, so it needs a stochastic solver "
                    f"({', '.join(map(repr, OPTIMIZERS))}); solver={p['solver']!r} "
                    "computes full-batch gradients."
                )
    if p["dropout"] > 0 and not hidden_layer_sizes(p):
        raise ValueError(
            f"dropout={p['dropout']} drops hidden units, but "
            "hidden_layer_sizes=() gives a network without hidden layers."
        )
    if p["scoring"] is not None and not p["early_stopping"]:
        warnings.warn(
            f"scoring={p['scoring']!r} is only used by early stopping, which "
            "is off: set early_stopping=True, or leave scoring=None.",
            UserWarning,
            stacklevel=6,
        )


def make_plan(parameters, ops, units, loss, call):
    """Return the Plan of a call; ``call`` is (random_state, reset, incremental)."""
    spec = ObjectiveSpec(
        ParameterLayout(units),
        HIDDEN_ACTIVATIONS[parameters["activation"]],
        loss,
        parameters["alpha"],
        OUTPUT_ACTIVATIONS[loss.output_activation],
    )
    solver = parameters["solver"]
    stochastic = solver in OPTIMIZERS
    random_state, reset, incremental = call
    derived = {
        "ops": ops,
        "spec": spec,
        "stochastic": stochastic,
        "run": run_stochastic if stochastic else SOLVERS[solver].run,
        # The RandomState drawn from the random_state parameter, once per call.
        "random_state": random_state,
        "reset": reset,
        "incremental": incremental,
    }
    return Plan(**{**parameters, **derived})


def new_update_rule(plan, params):
    """Return a fresh update rule: the optimiser and schedule of the plan."""
    record, hyperparameters = OPTIMIZERS[plan.solver], {}
    for keyword, parameter in record.hyperparameters.items():
        hyperparameters[keyword] = getattr(plan, parameter)
    settings = ScheduleSettings(plan.learning_rate_init, plan.power_t, plan.max_iter)
    schedule = start_schedule(plan.learning_rate, plan.solver, settings)
    optimizer = record.init(params, **hyperparameters)
    decay = plan.weight_decay, plan.spec.layout.n_coefs
    return UpdateRule(plan.solver, optimizer, schedule, plan.max_grad_norm, *decay)
