"""What MLPClassifier and MLPRegressor share: parameters, fit skeleton, tags."""

import copy
import warnings
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.sparse import issparse
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.validation import check_is_fitted, validate_data

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._arrays import (
    array_ops,
    check_not_sparse_under_dispatch,
    describe,
    float_dtypes_for,
    holds_numbers,
    on_host,
)
from ._callbacks import CallTask, FitTasks, NoTasks
from ._early_stopping import (
    given_validation_set,
    split_off_validation,
    validation_monitor,
)
from ._network import ParameterLayout, initial_params, predict_output
from ._objective import Batch, Dropout, Objective, ObjectiveSpec, as_targets
from ._optimizers import OPTIMIZERS, UpdateRule
from ._schedules import SCHEDULES, ScheduleSettings, schedule_for
from ._sklearn_compat import (
    CallbackSupportMixin,
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from ._solvers import (
    LBFGS,
    History,
    LbfgsSettings,
    NoFiniteEpoch,
    StochasticSettings,
    run_lbfgs,
    run_stochastic,
)
from ._threads import scipy_blas_on_one_thread
from ._weights import check_weight_sum, weighted_by_class

__all__ = ["SOLVERS", "BaseMLP"]

#: Every ``solver`` option: L-BFGS, then the stochastic optimisers. A view, not
#: a copy, so that an optimiser registered later is an option too.
SOLVERS = ChainMap(OPTIMIZERS, {"lbfgs": LBFGS})


_NO_HIDDEN_LAYER = (
    "transform returns the last hidden layer's activations, but this network "
    "has no hidden layer (hidden_layer_sizes=())."
)


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


#: The fitted attributes that hold arrays, which move between array libraries.
_MOVABLE = ("coefs_", "intercepts_", "classes_", "_optimizer")


def _converted(value, converter):
    """Return value with every numeric array in it converted, dicts and lists walked."""
    if isinstance(value, dict):
        return {key: _converted(item, converter) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_converted(item, converter) for item in value)
    return converter(value) if holds_numbers(value) else value


@dataclass(frozen=True)
class _FitRequest:
    """What the caller of ``_fit`` asked for besides the training data."""

    incremental: bool = False
    classes: object = None
    validation: tuple | None = None


@dataclass(frozen=True)
class _CheckedCall:
    """What this call trains with, its inputs checked: fresh, warm start or partial."""

    random_state: np.random.RandomState
    reset: bool
    incremental: bool
    encoder: object
    validation: Batch | None = None
    tasks: NoTasks = field(default_factory=NoTasks)


class BaseMLP(
    CallbackSupportMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Shared machinery of the MLP estimators; use a subclass instead."""

    _parameter_constraints: ClassVar[dict] = {
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
    }

    # ----------------------------------------------------------------- fitting
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
        request = _FitRequest(validation=(X_val, y_val, sample_weight_val))
        return self._fit(X, y, sample_weight, request)

    def _fit(self, X, y, sample_weight, request):
        """Train and commit; on any error, restore the estimator as it was."""
        before = dict(vars(self))
        continuing = self._continues_training(request.incremental)
        try:
            return self._fit_and_commit(X, y, sample_weight, request)
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
            return self
        except BaseException:
            self._restore(before)
            raise

    def _continues_training(self, incremental):
        """Return whether this call trains on from the fitted weights."""
        return hasattr(self, "coefs_") and (self.warm_start or incremental)

    def _restore(self, attributes):
        # scikit-learn's callback machinery still needs its bookkeeping to tear
        # the callbacks down after a failed fit.
        callback_state = {
            name: value
            for name, value in vars(self).items()
            if name in ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
        }
        vars(self).clear()
        vars(self).update(attributes)
        vars(self).update(callback_state)

    def _fit_and_commit(self, X, y, sample_weight, request):
        incremental = request.incremental
        self._check_training_options(incremental)
        reset = not self._continues_training(incremental)
        X, y, sample_weight = self._validate_training_data(X, y, sample_weight, reset)
        if not reset:
            self._check_same_library(X, "partial_fit" if incremental else "fit")
        Y, encoder = self._encode_targets(y, reset, incremental, request.classes)
        X, sample_weight = _in_dtype_holding(Y, X, sample_weight)
        class_weights = self._class_weights(y, incremental)
        sample_weight = weighted_by_class(class_weights, y, sample_weight, X)
        check_weight_sum(sample_weight, "sample_weight")
        spec = self._objective_spec(X, Y, encoder, reset)
        call = _CheckedCall(
            check_random_state(self.random_state),
            reset,
            incremental,
            encoder,
            given_validation_set(self, request.validation, encoder, class_weights, X),
            self._fit_tasks((X, y), spec, encoder, incremental),
        )
        params = self._starting_params(spec, X, call)
        data = Batch(X, as_targets(Y, X), sample_weight)
        with scipy_blas_on_one_thread():
            result = self._run_solver(params, spec, data, call)
        call.tasks.end(result.params)
        self._commit(result, spec, call)
        return self

    def _fit_tasks(self, data, spec, encoder, incremental):
        """Return what reports the fit's progress to scikit-learn's callbacks.

        A fit is a task with one subtask per epoch (per iteration for L-BFGS,
        plus the one scipy starts but never runs), a partial_fit call one task.
        """
        listened = getattr(self, "_skl_callbacks", None) or hasattr(
            self, "_parent_callback_ctx"
        )
        if not (listened and hasattr(self, "_init_callback_context")):
            return NoTasks()
        attributes_of = partial(self._network_attributes, spec=spec, encoder=encoder)
        if incremental:
            return CallTask(self, data, 0, attributes_of)
        max_subtasks = self.max_iter + (self.solver == "lbfgs")
        return FitTasks(self, data, max_subtasks, attributes_of)

    def _check_training_options(self, incremental):
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.dropout > 0 and self.solver == "lbfgs":
            raise ValueError(
                f"dropout={self.dropout} needs a stochastic solver ('sgd' or "
                "'adam'); solver='lbfgs' computes full-batch gradients."
            )
        if self.max_grad_norm is not None and self.solver == "lbfgs":
            raise ValueError(
                f"max_grad_norm={self.max_grad_norm} clips mini-batch gradients, "
                "so it needs solver='sgd' or 'adam'; solver='lbfgs' does not "
                "take such steps."
            )
        if self.dropout > 0 and not self._hidden_layer_sizes():
            raise ValueError(
                f"dropout={self.dropout} drops hidden units, but "
                "hidden_layer_sizes=() gives a network without hidden layers."
            )
        if self.scoring is not None and not self.early_stopping:
            warnings.warn(
                f"scoring={self.scoring!r} is only used by early stopping, which "
                "is off: set early_stopping=True, or leave scoring=None.",
                UserWarning,
                stacklevel=5,
            )
        if self.early_stopping and self.scoring in get_scorer_names():
            # A scorer records which prediction methods it may call (any one will do).
            needs = getattr(get_scorer(self.scoring), "_response_method", ())
            needs = [needs] if isinstance(needs, str) else list(needs)
            if needs and not any(hasattr(self, method) for method in needs):
                raise ValueError(
                    f"scoring={self.scoring!r} calls {' or '.join(needs)}, which "
                    f"{type(self).__name__} does not have: choose a scorer that "
                    "uses predict, such as 'r2' or 'neg_mean_squared_error'."
                )

    # ------------------------------------------- what each estimator supplies
    #: Whether y holds labels (encoded as 0/1 indicators) or real values.
    _targets_are_labels: ClassVar[bool]
    #: The metric of ``score``: accuracy or R2.
    _metric: ClassVar[Callable]

    def _encode_targets(self, y, reset, incremental, classes):
        """Return (Y, the 2-D targets the objective takes; their encoder)."""
        raise NotImplementedError

    def _encode_validation_targets(self, y_val, encoder):
        """Return y_val encoded as the training targets were."""
        raise NotImplementedError

    def _decode_targets(self, Y, encoder):
        """Return the targets y that Y encodes."""
        raise NotImplementedError

    def _predictions_from_output(self, A, encoder):
        """Return what ``predict`` gives for the output layer's a_L."""
        raise NotImplementedError

    def _loss(self, encoder):
        """Return the Loss record the estimator trains with."""
        raise NotImplementedError

    def _target_attributes(self, encoder, like):
        """Return the fitted attributes that describe the targets (classes_).

        Arrays among them are in the library and on the device of ``like``.
        """
        raise NotImplementedError

    def _network_attributes(self, params, spec, encoder):
        """Return the fitted attributes that make a model of ``params`` predict."""
        coefs, intercepts = spec.layout.unpack(params)
        return {
            "coefs_": coefs,
            "intercepts_": intercepts,
            "n_layers_": len(spec.layout.layer_units),
            "n_outputs_": spec.layout.layer_units[-1],
            "out_activation_": spec.loss.output_activation,
            **self._target_attributes(encoder, like=params),
        }

    def _class_weights(self, y, incremental):
        """Return {class: weight} for the training targets y; the classifier's."""
        return None

    def _score_output(self, A, y_true, sample_weight, encoder):
        """Return ``score``'s metric of the outputs A, or NaN if A is not finite."""
        if not array_ops(A).all_finite(A):
            return np.nan
        y_pred = self._predictions_from_output(A, encoder)
        return self._metric(y_true, y_pred, sample_weight=sample_weight)

    def _validate_training_data(self, X, y, sample_weight, reset):
        """Return X, y and sample_weight checked and converted as scikit-learn does.

        X keeps its library and device (with array API dispatch); y comes back
        on the host, as a numpy array, and sample_weight follows X.
        """
        check_not_sparse_under_dispatch(X, "X")
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

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(size <= 0 for size in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return sizes

    def _objective_spec(self, X, Y, encoder, reset):
        """Return the ObjectiveSpec to train, checking it fits the current weights."""
        units = (X.shape[1], *self._hidden_layer_sizes(), Y.shape[1])
        if not reset:
            current = (self.coefs_[0].shape[0], *(b.shape[0] for b in self.intercepts_))
            if current != units:
                raise ValueError(
                    f"Cannot continue training: the fitted network has layer sizes "
                    f"{current}, but hidden_layer_sizes and the data give {units}. "
                    "Set warm_start=False to train a new network."
                )
        return ObjectiveSpec(
            ParameterLayout(units),
            HIDDEN_ACTIVATIONS[self.activation],
            self._loss(encoder),
            self.alpha,
        )

    def _starting_params(self, spec, X, call):
        """Return fresh Glorot weights, or a copy of the fitted ones to continue.

        They are in X's dtype, library and device; fresh ones are drawn with
        numpy and moved there once.
        """
        if call.reset:
            xp, layout, random_state = array_ops(X), spec.layout, call.random_state
            dtype = xp.numpy_dtype(X.dtype)
            params = initial_params(layout, self.activation, random_state, dtype)
            return xp.move(params, like=X)
        return spec.layout.pack(self.coefs_, self.intercepts_, X.dtype)

    def _run_solver(self, params, spec, data, call):
        """Return the TrainingResult of the configured solver, starting at params."""
        n_samples = data.Y.shape[0]
        if self.solver == "lbfgs":
            objective = Objective(spec, n_samples, params)
            settings = LbfgsSettings(
                self.max_iter, self.max_fun, self.tol, self.verbose, call.tasks
            )
            return run_lbfgs(params, objective, data, settings)

        data, monitor = self._monitored_split(data, spec, call)
        batch_size = self._batch_size(data.Y.shape[0])
        settings = StochasticSettings(
            max_iter=self.max_iter,
            batch_size=batch_size,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose,
            incremental=call.incremental,
            random_state=call.random_state,
            monitor=monitor,
            tasks=call.tasks,
        )
        objective = Objective(spec, batch_size, params, self._dropout(call))
        update = self._update_rule_for(params, call.incremental)
        history = self._history(call.reset)
        return run_stochastic(params, objective, update, data, settings, history)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped",
                stacklevel=5,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _update_rule_for(self, params, incremental):
        """Return the optimiser and schedule to train with.

        partial_fit carries on with the previous ones, state and step size
        included (as scikit-learn's does), with the current ``max_grad_norm``.
        """
        previous = getattr(self, "_optimizer", None)
        if incremental and self._same_kind(previous, params.dtype):
            return replace(previous.copy(), max_grad_norm=self.max_grad_norm)
        optimizer = OPTIMIZERS[self.solver].build(params, self)
        settings = ScheduleSettings(
            self.learning_rate_init, self.power_t, self.max_iter
        )
        schedule = schedule_for(self.learning_rate, self.solver, settings)
        return UpdateRule(self.solver, optimizer, schedule, self.max_grad_norm)

    def _same_kind(self, update_rule, dtype):
        """Return whether update_rule is of this solver and trains in dtype."""
        return (
            update_rule is not None
            and update_rule.solver == self.solver
            and update_rule.optimizer.dtype == dtype
        )

    def _history(self, reset):
        """Return the history to continue from: its scalars, and empty curves."""
        history = History.start(self.early_stopping)
        if reset or not hasattr(self, "loss_curve_"):
            return history
        history.t = self.t_
        history.no_improvement_count = getattr(self, "_no_improvement_count", 0)
        if self.early_stopping:
            previous = getattr(self, "best_validation_score_", None)
            history.best_validation_score = -np.inf if previous is None else previous
        else:
            previous = getattr(self, "best_loss_", None)
            history.best_loss = np.inf if previous is None else previous
        return history

    def _monitored_split(self, data, spec, call):
        """Return (training data, validation monitor or None) for early stopping."""
        if not self.early_stopping:
            return data, None
        val = call.validation
        if val is None:
            single_label = self._targets_are_labels and data.Y.shape[1] == 1
            stratify = array_ops(data.Y).to_numpy(data.Y) if single_label else None
            fraction, random_state = self.validation_fraction, call.random_state
            data, val = split_off_validation(data, fraction, stratify, random_state)
            check_weight_sum(data.sample_weight, "sample_weight (what the split left)")
        return data, validation_monitor(self, spec, val, call.encoder)

    def _dropout(self, call):
        """Return the Dropout of this fit, or None; it only draws when used."""
        if self.dropout == 0:
            return None
        seed = call.random_state.randint(np.iinfo(np.int32).max)
        # partial_fit re-seeds from an int random_state on every call; mixing in
        # the number of samples seen so far gives each call new masks.
        samples_seen = 0 if call.reset else getattr(self, "t_", 0)
        return Dropout(self.dropout, np.random.default_rng([seed, samples_seen]))

    def _commit(self, result, spec, call):
        """Set every fitted attribute from a finished training run."""
        vars(self).update(self._network_attributes(result.params, spec, call.encoder))
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss
        history = result.history
        continued = not call.reset and hasattr(self, "loss_curve_")
        if self.solver == "lbfgs":
            self.t_ = 0 if call.reset else getattr(self, "t_", 0)
            self._extend_curve("loss_curve_", history.loss_curve, continued)
            return
        self.t_ = history.t
        self.best_loss_ = history.best_loss
        self.best_validation_score_ = history.best_validation_score
        self._no_improvement_count = history.no_improvement_count
        # Named as scikit-learn names it; its own tests read _optimizer.learning_rate.
        self._optimizer = result.update
        self._extend_curve("loss_curve_", history.loss_curve, continued)
        self._extend_curve("validation_scores_", history.validation_scores, continued)
        self._extend_curve(
            "validation_loss_curve_", history.validation_losses, continued
        )

    def _extend_curve(self, name, new_entries, continued):
        """Append this call's entries to a curve, or start it with them.

        Appending in place, rather than building a new list, keeps the cost of
        a partial_fit call the same however many calls came before it.
        """
        earlier = getattr(self, name, None) if continued else None
        if earlier is None or new_entries is None:
            setattr(self, name, new_entries)
        else:
            earlier.extend(new_entries)

    # -------------------------------------------------------------- prediction
    def _forward_output(self, X, method, output=None):
        """Return the output layer's activations a_L for X, given to ``method``.

        ``output`` replaces the output activation (identity gives z_L).
        """
        X = self._validated_input(X, method)
        output = output or OUTPUT_ACTIVATIONS[self.out_activation_]
        hidden = HIDDEN_ACTIVATIONS[self.activation]
        return predict_output(X, self.coefs_, self.intercepts_, hidden, output)

    def _validated_input(self, X, method):
        """Return X checked for ``method``: a fitted model, X of its library."""
        check_is_fitted(self)
        if not self._is_ready_array(X):
            check_not_sparse_under_dispatch(X, "X")
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        self._check_same_library(X, method)
        return X

    def _check_same_library(self, X, method):
        """Raise a ValueError naming both unless X is where the weights are.

        That is the same array library and device as the fitted weights.
        """
        weights = self.coefs_[0]
        if type(weights) is np.ndarray and (type(X) is np.ndarray or issparse(X)):
            return
        fitted, given = describe(weights), describe(X)
        if fitted != given:
            raise ValueError(
                f"Inputs passed to {type(self).__name__}.{method}() must use the "
                "same namespace and the same device as those passed to fit(): "
                f"the model was fitted on {fitted} arrays, X is {given}. Move X "
                "there, or move the model with scikit-learn's "
                "sklearn.utils._array_api.move_estimator_to(model, xp, device)."
            )

    def transform(self, X):
        """Return the activations of the last hidden layer: the learned features.

        .. versionadded:: 0.1
           skmlp only; scikit-learn's MLP has no ``transform``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            The last hidden layer's activations f(z) for every sample.
        """
        X = self._validated_input(X, "transform")
        if len(self.coefs_) < 2:
            raise ValueError(_NO_HIDDEN_LAYER)
        hidden = HIDDEN_ACTIVATIONS[self.activation]
        return predict_output(
            X, self.coefs_[:-1], self.intercepts_[:-1], hidden, hidden
        )

    def get_feature_names_out(self, input_features=None):
        """Return names for the features ``transform`` gives: mlp0, mlp1, ...

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in fit; the output names do not
            depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per unit of the last hidden layer.
        """
        check_is_fitted(self)
        if len(self.coefs_) < 2:
            raise ValueError(_NO_HIDDEN_LAYER)
        return super().get_feature_names_out(input_features)

    @property
    def _n_features_out(self):
        return self.intercepts_[-2].shape[0] if len(self.intercepts_) > 1 else 0

    def _is_ready_array(self, X):
        """Return whether X is a float ndarray that validate_data would pass as is.

        Checking this directly makes a one-row prediction several times faster
        than the general validation, which looks for dataframes and array APIs.
        """
        return (
            type(X) is np.ndarray
            and X.dtype in (np.float64, np.float32)
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and (get_config()["assume_finite"] or np.isfinite(X).all())
        )

    def _check_solver(self):
        if self.solver not in OPTIMIZERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state.get("_optimizer"), UpdateRule):
            # Plain dicts, numbers and arrays rather than skmlp's own objects, so
            # that skops can load a model without trusting internal types.
            state = {**state, "_optimizer": state["_optimizer"].state()}
        return state

    def __setstate__(self, state):
        if isinstance(state.get("_optimizer"), dict):
            update = UpdateRule.from_state(state["_optimizer"])
            state = {**state, "_optimizer": update}
        super().__setstate__(state)

    def __sklearn_array_api_convert__(self, converter):
        """Return a copy with every array moved by ``converter``.

        scikit-learn's ``move_estimator_to`` calls this: weights, numeric
        ``classes_`` and the optimiser's state move; labels that are strings
        stay numpy arrays, and the label encoder stays on the host.
        """
        moved = copy.copy(self)
        for name, value in self.__getstate__().items():
            if name in _MOVABLE:
                setattr(moved, name, _converted(value, converter))
            else:
                setattr(moved, name, copy.deepcopy(value))
        if isinstance(moved.__dict__.get("_optimizer"), dict):
            moved._optimizer = UpdateRule.from_state(moved._optimizer)
        return moved

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = True
        return tags
