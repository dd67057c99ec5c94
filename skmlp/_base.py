"""What MLPClassifier and MLPRegressor share: parameters, the fit skeleton, tags.

``fit`` reads as four steps and commits once::

    data = self._checked_data(...)        # inputs checked, targets encoded
    plan = make_plan(...)                  # settings read, records looked up
    state = self._starting_state(plan, X)  # fresh weights, or the fitted ones
    plan.run(state, ...)            # the solver moves the state forward
    self._commit(state, ...)               # the only place fitted attributes are set

A call that raises leaves the estimator as it was.
"""

import functools
import warnings
from collections.abc import Callable
from typing import ClassVar, NamedTuple, Protocol

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import validate_data

from ._arrays import array_ops, checked_input, float_dtypes_for, on_host
from ._callbacks import CallTask, FitTasks
from ._early_stopping import (
    check_scorer_methods,
    given_validation_set,
    split_off_validation,
    validation_monitor,
)
from ._fitted import fitted_attributes, starting_state
from ._objective import Batch, Objective, as_targets
from ._optimizers import OPTIMIZERS
from ._persistence import PersistenceMixin
from ._plan import (
    PARAMETER_CONSTRAINTS,
    check_options,
    hidden_layer_sizes,
    make_plan,
    new_update_rule,
)
from ._predicting import PredictingMixin
from ._sklearn_compat import (
    CallbackSupportMixin,
    _check_sample_weight,
    _fit_context,
)
from ._solvers import SOLVERS, NoFiniteEpoch, Observers
from ._threads import scipy_blas_on_one_thread
from ._weights import check_weight_sum, weighted_by_class

__all__ = ["SOLVERS", "BaseMLP"]

_CALLBACK_BOOKKEEPING = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class TargetHooks(Protocol):
    """What each estimator supplies about its targets to the shared skeleton."""

    #: Whether y holds labels (encoded as 0/1 indicators) or real values.
    _targets_are_labels: bool
    #: The metric of ``score``: accuracy or R2.
    _metric: Callable

    def _encode_targets(self, y, reset, incremental, classes):
        """Return (Y, the 2-D targets the objective takes; their encoder)."""

    def _encode_validation_targets(self, y_val, encoder):
        """Return y_val encoded as the training targets were."""

    def _decode_targets(self, Y, encoder):
        """Return the targets y that Y encodes."""

    def _predictions_from_output(self, A, encoder):
        """Return what ``predict`` gives for the output layer's a_L."""

    def _loss(self, encoder):
        """Return the Loss record the estimator trains with."""

    def _target_attributes(self, encoder, like):
        """Return the fitted attributes that describe the targets (classes_)."""

    def _class_weights(self, y, incremental):
        """Return {class: weight} for the training targets y, or None."""


class _Request(NamedTuple):
    """What the caller of ``_fit`` asked for besides the training data."""

    incremental: bool = False
    classes: object = None
    validation: tuple | None = None


def _in_dtype_holding(Y, X, sample_weight):
    """Return X and sample_weight in float64 when float32 X cannot hold Y.

    Training runs in X's dtype, targets included; a float32 X with targets past
    float32's range (about 3.4e38) trains in float64 instead of overflowing
    (where X's device has float64).
    """
    xp = array_ops(X)
    if xp.numpy_dtype(X.dtype) != np.float32 or Y.dtype == bool:
        return X, sample_weight
    if not np.abs(Y).max(initial=0) > np.finfo(np.float32).max:
        return X, sample_weight
    wide = xp.wide_float(X)
    X = xp.astype(X, wide)
    return X, None if sample_weight is None else xp.astype(sample_weight, wide)


class BaseMLP(CallbackSupportMixin, PersistenceMixin, PredictingMixin, BaseEstimator):
    """Shared machinery of the MLP estimators; use a subclass instead.

    A subclass supplies the ``TargetHooks``.
    """

    _parameter_constraints: ClassVar[dict] = PARAMETER_CONSTRAINTS
    # get_params reads the signature of __init__ on every call, which a small
    # fit does twice; a class's parameter names never change.
    _get_param_names = classmethod(
        functools.cache(BaseEstimator._get_param_names.__func__)
    )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train the network on X and y; with warm_start, go on from the fitted weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            What the network learns to predict: labels for the classifier,
            real values (one column per output) for the regressor.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Validation data for early stopping, used instead of a
            ``validation_fraction`` split of the training data. Requires
            ``early_stopping=True``, ``solver='sgd'`` or ``'adam'``, and ``y_val``.

            .. versionadded:: 0.1
               skmlp only; scikit-learn's MLP has no such parameter.

        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.

            .. versionadded:: 0.1
               skmlp only.

        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of ``X_val``.

            .. versionadded:: 0.1
               skmlp only.

        Returns
        -------
        self : object
            Returns a trained MLP model.
        """
        request = _Request(validation=(X_val, y_val, sample_weight_val))
        return self._fit(X, y, sample_weight, request)

    def _fit(self, X, y, sample_weight, request):
        """Train and commit; on any error, restore the estimator as it was."""
        before = dict(vars(self))
        continuing = hasattr(self, "coefs_") and (
            self.warm_start or request.incremental
        )
        try:
            self._train(X, y, sample_weight, request, reset=not continuing)
        except NoFiniteEpoch as error:
            self._restore(before)
            if not continuing:
                raise ValueError(str(error)) from None
            warnings.warn(
                "Training diverged in every epoch of this call (the loss or the "
                "weights became non-finite), so the model was left as it was "
                "before the call. Try a smaller learning_rate_init, or scale "
                "the input data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        except BaseException:
            self._restore(before)
            raise
        return self

    def _restore(self, attributes):
        # scikit-learn's callback machinery still needs its bookkeeping to tear
        # the callbacks down after a failed fit.
        kept = {k: v for k, v in vars(self).items() if k in _CALLBACK_BOOKKEEPING}
        vars(self).clear()
        vars(self).update(attributes, **kept)

    def _train(self, X, y, sample_weight, request, reset):
        """Check the data, plan the call, run its solver and commit the result.

        ``reset`` is False when the call trains on from the fitted weights.
        """
        parameters = self.get_params(deep=False)
        check_options(parameters, request.incremental)
        check_scorer_methods(self)
        data, y, encoder, class_weights = self._checked_data(
            X, y, sample_weight, reset, request
        )
        units = (data.X.shape[1], *hidden_layer_sizes(parameters), data.Y.shape[1])
        call = (check_random_state(self.random_state), reset, request.incremental)
        plan = make_plan(
            parameters, array_ops(data.X), units, self._loss(encoder), call
        )
        weighting = (encoder, class_weights)
        validation = given_validation_set(
            self, request.validation, weighting, data.X, plan
        )
        tasks = self._fit_tasks((data.X, y), plan, encoder)  # None: no callbacks
        state = starting_state(plan, data.X, vars(self))
        with scipy_blas_on_one_thread():
            self._run(plan, state, data, (validation, encoder, tasks))
        self._commit(state, plan, encoder)
        if tasks is not None:
            try:
                tasks.end(state)
            except KeyboardInterrupt:  # the trained model is kept
                warnings.warn("Training interrupted by user.", stacklevel=4)

    def _checked_data(self, X, y, sample_weight, reset, request):
        """Return (training Batch, y on the host, target encoder, class weights)."""
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight, reset)
        if not reset:
            method = "partial_fit" if request.incremental else "fit"
            self._check_same_library(X, method)
        Y, encoder = self._encode_targets(
            y, reset, request.incremental, request.classes
        )
        if not reset:
            self._check_same_units(X.shape[1], Y.shape[1])
        X, sample_weight = _in_dtype_holding(Y, X, sample_weight)
        class_weights = self._class_weights(y, request.incremental)
        sample_weight = weighted_by_class(class_weights, y, sample_weight, X)
        check_weight_sum(sample_weight, "sample_weight")
        return Batch(X, as_targets(Y, X), sample_weight), y, encoder, class_weights

    def _validate_training_data(self, X, y, sample_weight, reset):
        """Return X, y and sample_weight checked and converted as scikit-learn does.

        X keeps its library and device (with array API dispatch); y comes back
        on the host, as a numpy array, and sample_weight follows X.
        """
        X = checked_input(X, "X")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=not self._targets_are_labels,
            dtype=float_dtypes_for(X),
            reset=reset,
        )
        y = on_host(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
            sample_weight = array_ops(X).move(sample_weight, like=X)
        return X, y, sample_weight

    def _check_same_units(self, n_features, n_outputs):
        """Raise a ValueError unless the fitted network has the layers asked for."""
        units = (n_features, *hidden_layer_sizes(self.get_params()), n_outputs)
        current = (self.coefs_[0].shape[0], *(b.shape[0] for b in self.intercepts_))
        if current != units:
            raise ValueError(
                f"Cannot continue training: the fitted network has layer sizes "
                f"{current}, but hidden_layer_sizes and the data give {units}. "
                "Set warm_start=False to train a new network."
            )

    def _run(self, plan, state, data, watching):
        """Run the plan's solver on ``data``, moving ``state`` forward in place.

        ``watching`` is (given validation set or None, encoder, tasks).
        """
        validation, encoder, tasks = watching
        if not plan.stochastic:
            objective = Objective(plan.spec, data.Y.shape[0], state.params)
            return plan.run(state, objective, data, plan, Observers(None, tasks))
        data, monitor = self._monitored_split(data, plan, validation, encoder)
        samples_seen = 0 if plan.reset else getattr(self, "t_", 0)
        plan = plan.for_rows(data.Y.shape[0], samples_seen)
        objective = Objective(plan.spec, plan.batch_size, state.params, plan.masks)
        previous = getattr(self, "_optimizer", None)
        if plan.incremental and _same_kind(previous, plan, state.params.dtype):
            state.update = previous.copy()
            state.update.max_grad_norm = plan.max_grad_norm
            state.update.weight_decay = plan.weight_decay
        else:
            state.update = new_update_rule(plan, state.params)
        return plan.run(state, objective, data, plan, Observers(monitor, tasks))

    def _monitored_split(self, data, plan, validation, encoder):
        """Return (training data, validation monitor or None) for early stopping."""
        if not plan.early_stopping:
            return data, None
        if validation is None:
            single_label = self._targets_are_labels and data.Y.shape[1] == 1
            stratify = plan.ops.to_numpy(data.Y) if single_label else None
            fraction = plan.validation_fraction
            data, validation = split_off_validation(
                data, fraction, stratify, plan.random_state
            )
            check_weight_sum(data.sample_weight, "sample_weight (what the split left)")
        return data, validation_monitor(self, plan.spec, validation, encoder)

    def _fit_tasks(self, data, plan, encoder):
        """Return what reports the fit's progress to scikit-learn's callbacks.

        A fit is a task with one subtask per epoch (per iteration for L-BFGS,
        plus the one scipy starts but never runs), a partial_fit call one task.
        """
        listened = getattr(self, "_skl_callbacks", None) or hasattr(
            self, "_parent_callback_ctx"
        )
        if not (listened and hasattr(self, "_init_callback_context")):
            return None

        def attributes_of(state):
            return self._attributes_at(state, plan, encoder, in_place=False)

        if plan.incremental:
            return CallTask(self, data, 0, attributes_of)
        max_subtasks = plan.max_iter + (not plan.stochastic)
        return FitTasks(self, data, max_subtasks, attributes_of)

    def _attributes_at(self, state, plan, encoder, in_place):
        """Return every fitted attribute of a model at ``state`` (see _fitted)."""
        attributes = fitted_attributes(state, plan, vars(self), in_place)
        return {**attributes, **self._target_attributes(encoder, like=state.params)}

    def _commit(self, state, plan, encoder):
        """Set every fitted attribute from a finished training run."""
        vars(self).update(self._attributes_at(state, plan, encoder, in_place=True))

    def _score_output(self, A, y_true, sample_weight, encoder):
        """Return ``score``'s metric of the outputs A, or NaN if A is not finite."""
        if not array_ops(A).all_finite(A):
            return np.nan
        y_pred = self._predictions_from_output(A, encoder)
        return self._metric(y_true, y_pred, sample_weight=sample_weight)

    def _check_solver(self):
        if self.solver not in OPTIMIZERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags


def _same_kind(update_rule, plan, dtype):
    """Return whether update_rule is of the plan's solver and trains in dtype."""
    return (
        update_rule is not None
        and update_rule.solver == plan.solver
        and update_rule.dtype in (None, dtype)
    )
