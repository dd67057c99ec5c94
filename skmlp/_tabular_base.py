"""What the tabular estimators share: parameters, the checks, the fit skeleton.

``fit`` reads as four steps and commits once::

    X, y, sample_weight = checked input          (a table, any column types)
    encoded = TabularPreprocessor().fit_transform(X)
    network, state = train_network(...)          (skmlp's stochastic solver)
    self._commit(...)                            (the only place attributes are set)

A call that raises leaves the estimator as it was.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array, check_consistent_length, check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._layers import NONLINEARITIES
from ._objective import Batch
from ._sklearn_compat import Interval, StrOptions, _check_sample_weight, _fit_context
from ._solvers import NoFiniteEpoch
from ._tabular_training import NetworkSettings, train_network
from .preprocessing import TabularPreprocessor

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like"],
    "activation": [StrOptions(set(NONLINEARITIES))],
    "n_frequencies": [Interval(numbers.Integral, 0, None, closed="left")],
    "scaling_layer": ["boolean"],
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


class BaseTabularMLP(BaseEstimator):
    """Shared machinery of the tabular estimators; use a subclass instead.

    A subclass supplies ``_loss_name``, ``_encode_targets(y, sample_weight)``
    returning (Y, sample_weight, stratify) and setting its target attributes
    in a dict, and ``_label_smoothing()``.
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

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
        except NoFiniteEpoch as error:
            vars(self).clear()
            vars(self).update(before)
            raise ValueError(str(error)) from None
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise
        return self

    def _train(self, X, y, sample_weight):
        """Check and encode the data, train, then set the fitted attributes."""
        sizes = hidden_sizes(self.hidden_layer_sizes)
        X, y, sample_weight = self._checked(X, y, sample_weight)
        preprocessor = TabularPreprocessor(
            max_categories=self.max_categories, smooth_clip=self.smooth_clip
        )
        encoded = preprocessor.fit_transform(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        Y, sample_weight, stratify, targets = self._encode_targets(y, sample_weight)
        n_numeric = int((~preprocessor.is_categorical_).sum())
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        rng = np.random.default_rng(seed)
        network, state = train_network(
            Batch(encoded, Y, sample_weight),
            range(n_numeric),
            self._settings(sizes, encoded.shape[0]),
            rng,
            stratify,
        )
        self._commit(preprocessor, network, state, targets)

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
            dropout=self.dropout,
            learning_rate_init=self.learning_rate_init,
            learning_rate_schedule=self.learning_rate_schedule,
            weight_decay=self.weight_decay,
            label_smoothing=self._label_smoothing(),
            max_iter=self.max_iter,
            batch_size=self.batch_size,
            validation_fraction=self.validation_fraction,
        )

    def _commit(self, preprocessor, network, state, targets):
        """Set every fitted attribute from a finished training run."""
        self.preprocessor_ = preprocessor
        self.network_ = network
        self.params_ = state.params
        self.n_iter_ = state.n_iter
        self.loss_curve_ = list(state.loss_curve)
        scores = state.validation_scores
        self.validation_scores_ = list(scores) if scores else None
        self.best_iteration_ = 1 + int(np.nanargmax(scores)) if scores else None
        vars(self).update(targets)

    def _output(self, X):
        """Return the network's output pre-activations Z on the table X."""
        check_is_fitted(self)
        encoded = self.preprocessor_.transform(X)  # checks X as an array or table
        validate_data(self, X, skip_check_array=True, reset=False)
        return self.network_.predict(self.params_, encoded)

    def __sklearn_tags__(self):
        """Return the tags: tables with NaN and strings accepted."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.non_deterministic = False
        return tags
