"""A training state as fitted attributes, and fitted attributes as a training state.

The estimator's fitted attributes (``coefs_``, ``loss_curve_``, ``t_``,
``_optimizer``, ...) are what a ``TrainingState`` becomes when a call ends,
and what the next call starts from when it continues training. Both
directions live here, read from and written to plain attribute dicts
(``vars(estimator)``), so that the estimator only commits what they give.
"""

import numpy as np

from ._network import initial_params
from ._state import TrainingState


def starting_state(plan, X, fitted):
    """Return the state a call trains from: fresh Glorot weights, or ``fitted``.

    Fresh weights are drawn with numpy in X's dtype and moved to X's library
    and device once; continuing, the state starts as a copy of the fitted
    weights with the scalars that stopping compares against. ``fitted`` is the
    estimator's attribute dict.
    """
    ops, layout = plan.ops, plan.spec.layout
    if plan.reset:
        dtype, gain = ops.numpy_dtype(X.dtype), plan.spec.hidden.init_gain
        drawn = initial_params(layout, gain, plan.random_state, dtype)
        state = TrainingState(ops.move(drawn, like=X))
    else:
        params = layout.pack(fitted["coefs_"], fitted["intercepts_"], X.dtype)
        state = TrainingState(params, t=fitted["t_"])
    if plan.early_stopping:
        state.best_loss, state.best_validation_score = None, -np.inf
        state.validation_scores, state.validation_losses = [], []
    if plan.reset or "loss_curve_" not in fitted:
        return state
    state.no_improvement_count = fitted.get("_no_improvement_count", 0)
    scalar = "best_validation_score" if plan.early_stopping else "best_loss"
    if fitted.get(f"{scalar}_") is not None:
        setattr(state, scalar, fitted[f"{scalar}_"])
    return state


def network_attributes(params, spec):
    """Return the fitted attributes a network of ``params`` needs to predict."""
    coefs, intercepts = spec.layout.unpack(params)
    return {
        "coefs_": coefs,
        "intercepts_": intercepts,
        "n_layers_": len(spec.layout.layer_units),
        "n_outputs_": spec.layout.layer_units[-1],
        "out_activation_": spec.loss.output_activation,
    }


def fitted_attributes(state, plan, fitted, in_place):
    """Return the fitted attributes of the network at ``state``.

    Those that describe the targets (``classes_``) are the estimator's to add.
    The curves continue the ``fitted`` ones when the call continues training:
    ``in_place`` appends to those lists (so a partial_fit costs the same
    however many came before it); otherwise new lists are made, sharing
    nothing with the estimator.
    """
    attributes = {
        **network_attributes(state.params, plan.spec),
        "n_iter_": state.n_iter,
        "loss_": state.loss,
        "t_": state.t,
    }
    curves = {"loss_curve_": state.loss_curve}
    if plan.stochastic:
        attributes["best_loss_"] = state.best_loss
        attributes["best_validation_score_"] = state.best_validation_score
        attributes["_no_improvement_count"] = state.no_improvement_count
        # scikit-learn's name; its own tests read _optimizer.learning_rate.
        attributes["_optimizer"] = state.update
        curves["validation_scores_"] = state.validation_scores
        curves["validation_loss_curve_"] = state.validation_losses
    continued = not plan.reset and "loss_curve_" in fitted
    for name, entries in curves.items():
        earlier = fitted.get(name) if continued else None
        if entries is not None and earlier is not None:
            if in_place:
                earlier.extend(entries)
            entries = earlier if in_place else [*earlier, *entries]
        elif entries is not None and not in_place:
            entries = list(entries)
        attributes[name] = entries
    return attributes
