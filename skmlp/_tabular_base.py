"""What the tabular estimators share: parameters, the checks, the fit skeleton.

``fit`` reads as four steps and commits once::

    X, y, sample_weight = checked input          (a table, any column types)
    encoded = TabularPreprocessor().fit_transform(X)
    state = train_network(network, ...)          (skmlp's stochastic solver)
    self._commit(...)                            (the only place attributes are set)

A call that raises leaves the estimator as it was. scikit-learn's callbacks
hear of the fit and of every epoch, as with the MLP estimators. A pickle or
skops file holds the network and the encoder as plain data, so skops loads it
trusting the estimator's class alone. The estimators compute with numpy on
the host: under array API dispatch, arrays of another library are refused.
"""

import numbers
import warnings
from functools import partial
from typing import ClassVar

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator
from sklearn.utils import check_array, check_consistent_length, check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._callbacks import FitTasks
from ._early_stopping import best_epoch
from ._layers import NONLINEARITIES
from ._objective import Batch
from ._sklearn_compat import (
    CallbackSupportMixin,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    array_api_compat,
)
from ._solvers import NoFiniteEpoch
from ._tabular_network import TabularNetwork
from ._tabular_training import NetworkSettings, network_layers, train_network
from .preprocessing import TabularPreprocessor

#: What scikit-learn's callback machinery keeps on the estimator during a fit.
_CALLBACK_BOOKKEEPING = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
#: The key under which a saved model holds its network and encoder as plain data.
_SAVED_PARTS = "_saved_tabular_parts"

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like"],
    "activation": [StrOptions(set(NONLINEARITIES))],
    "n_frequencies": [Interval(numbers.Integral, 0, None, closed="left")],
    "scaling_layer": ["boolean"],
    "n_members": [Interval(numbers.Integral, 1, None, closed="left")],
    "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "learning_rate_schedule": [StrOptions({"coslog4", "constant"})],
    "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither"), None],
    "max_categories": [Interval(numbers.Integral, 2, None, closed="left"), None],
    "smooth_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "random_state": ["random_state"],
}


def hidden_sizes(value):
    """Return ``hidden_layer_sizes`` as a tuple of positive ints, or raise."""
    sizes = tuple(np.ravel(np.asarray(value, dtype=object)))
    if not all(isinstance(s, numbers.Integral) and s > 0 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must hold positive integers, got {value!r}."
        )
    return tuple(int(s) for s in sizes)


def check_on_host(estimator, **inputs):
    """Raise a TypeError if, under array API dispatch, an input is a non-numpy array.

    The tabular estimators compute with numpy on the host; without dispatch,
    scikit-learn's checks convert such arrays to numpy as for any estimator.
    """
    if not get_config()["array_api_dispatch"]:
        return
    for name, value in inputs.items():
        if array_api_compat.is_array_api_obj(value) and not isinstance(
            value, np.ndarray
        ):
            library = type(value).__module__.split(".")[0]
            raise TypeError(
                f"{type(estimator).__name__} computes with numpy on the host and "
                f"does not support array API dispatch, but {name} is an array of "
                f"{library}. Pass a numpy array or a pandas or polars DataFrame "
                "(move the data to the host first), or turn array_api_dispatch off."
            )


class BaseTabularMLP(CallbackSupportMixin, BaseEstimator):
    """Shared machinery of the tabular estimators; use a subclass instead.

    A subclass supplies ``_loss_name``, ``_encode_targets(y, sample_weight)``
    returning (Y, sample_weight, stratify) and setting its target attributes
    in a dict, and ``_label_smoothing()``.
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS
    # NetworkSettings fields without a parameter, replaced only by the
    # benchmark's ablation (on an instance); empty for every user.
    _ablation: ClassVar[dict] = {}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Encode the table X, then train the network on it and on y.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Training table: a pandas or polars data frame with numeric and
            categorical columns, or an array. Missing values are allowed.

        y : array-like of shape (n_samples,)
            Targets: class labels for the classifier, numbers for the regressor.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row in the loss; None weighs every row 1.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        before = dict(vars(self))
        try:
            self._train(X, y, sample_weight)
        except NoFiniteEpoch:
            self._restore(before)
            raise ValueError(
                "Training diverged in every epoch: the loss or the weights became "
                "non-finite, so no model was kept. Try a smaller "
                f"learning_rate_init (it is {self.learning_rate_init!r})."
            ) from None
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

    def _train(self, X, y, sample_weight):
        """Check and encode the data, train, then set the fitted attributes."""
        sizes = hidden_sizes(self.hidden_layer_sizes)
        check_on_host(self, X=X, y=y, sample_weight=sample_weight)
        X, y, sample_weight = self._checked(X, y, sample_weight)
        preprocessor = TabularPreprocessor(
            max_categories=self.max_categories, smooth_clip=self.smooth_clip
        )
        encoded = preprocessor.fit_transform(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        Y, sample_weight, stratify, targets = self._encode_targets(y, sample_weight)
        settings = self._settings(sizes, encoded.shape[0])
        numeric = range(int((~preprocessor.is_categorical_).sum()))
        layers = network_layers(encoded.shape[1], Y.shape[1], numeric, settings)
        parts = (preprocessor, TabularNetwork(layers), targets)
        tasks = self._fit_tasks((X, y), settings.max_iter, parts)
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        state = train_network(
            parts[1],
            Batch(encoded, Y, sample_weight),
            settings,
            np.random.default_rng(seed),
            (stratify, tasks),
        )
        vars(self).update(self._attributes(parts, state))
        if tasks is not None:
            self._end_tasks(tasks, parts, state)

    def _checked(self, X, y, sample_weight):
        """Return X (untouched), y as a 1-D array and sample weights as floats."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=True)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        weights = np.ones(len(y)) if sample_weight is None else sample_weight
        weights = _check_sample_weight(weights, np.empty((len(y), 1)), dtype=np.float64)
        if not weights.sum() > 0:
            raise ValueError("sample_weight must have a positive sum.")
        return X, y, weights

    def _settings(self, sizes, n_samples):
        """Return the NetworkSettings of the current parameters."""
        return NetworkSettings(
            loss=self._loss_name,
            hidden_layer_sizes=sizes,
            activation=self.activation,
            n_frequencies=self.n_frequencies,
            scaling_layer=self.scaling_layer,
            n_members=self.n_members,
            dropout=self.dropout,
            learning_rate_init=self.learning_rate_init,
            learning_rate_schedule=self.learning_rate_schedule,
            weight_decay=self.weight_decay,
            label_smoothing=self._label_smoothing(),
            max_iter=self.max_iter,
            batch_size=self.batch_size,
            validation_fraction=self.validation_fraction,
            **self._ablation,
        )

    def _attributes(self, parts, state, epoch_model=False):
        """Return every fitted attribute of a model at the training ``state``.

        ``parts`` is (preprocessor, network, target attributes). An epoch's
        model (``epoch_model``) holds that epoch's weights, not the best ones.
        """
        preprocessor, network, targets = parts
        scores = state.validation_scores
        return {
            "preprocessor_": preprocessor,
            "network_": network,
            "params_": state.params,
            "n_iter_": state.n_iter,
            "loss_curve_": list(state.loss_curve),
            "validation_scores_": list(scores) if scores else None,
            "best_iteration_": None if epoch_model else best_epoch(scores),
            **targets,
        }

    def _fit_tasks(self, data, max_iter, parts):
        """Return what reports the fit to scikit-learn's callbacks, or None.

        A fit is a task with one subtask per epoch; each finished epoch hands
        the callbacks a model predicting with that epoch's weights.
        """
        listened = getattr(self, "_skl_callbacks", None) or hasattr(
            self, "_parent_callback_ctx"
        )
        if not (listened and hasattr(self, "_init_callback_context")):
            return None
        epoch_model = partial(self._attributes, parts, epoch_model=True)
        return FitTasks(self, data, max_iter, epoch_model)

    def _end_tasks(self, tasks, parts, state):
        """End the fit's task with the model kept; Ctrl-C there keeps it too."""
        tasks.attributes_of = partial(self._attributes, parts)  # the kept weights
        try:
            tasks.end(state)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=5)

    def _output(self, X):
        """Return the network's output pre-activations Z on the table X."""
        check_is_fitted(self)
        check_on_host(self, X=X)
        if len(getattr(X, "shape", ())) == 2:
            # Names and column count checked here, so that the error names the
            # estimator; the encoder checks the rest (it saw the same columns).
            validate_data(self, X, skip_check_array=True, reset=False)
        encoded = self.preprocessor_.transform(X)
        return self.network_.predict(self.params_, encoded)

    def __getstate__(self):
        """Return the state with the network and the encoder as plain data."""
        state = dict(super().__getstate__())
        if "network_" in state:
            network, preprocessor = state.pop("network_"), state.pop("preprocessor_")
            state[_SAVED_PARTS] = {
                "layers": network.records(),
                "preprocessor": dict(preprocessor.__getstate__()),
            }
        return state

    def __setstate__(self, state):
        """Set the state, rebuilding the network and the encoder saved as data."""
        state = dict(state)
        saved = state.pop(_SAVED_PARTS, None)
        super().__setstate__(state)
        if saved is not None:
            preprocessor = TabularPreprocessor.__new__(TabularPreprocessor)
            preprocessor.__setstate__(saved["preprocessor"])
            self.preprocessor_ = preprocessor
            self.network_ = TabularNetwork.from_records(saved["layers"])

    def __sklearn_tags__(self):
        """Return the tags: tables with NaN and strings accepted, numpy only."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.non_deterministic = False
        tags.array_api_support = False
        return tags
