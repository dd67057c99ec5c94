"""The validation set that early stopping watches, and what is measured on it.

The set is either given to ``fit`` (``X_val``, ``y_val``, ``sample_weight_val``,
as in HistGradientBoosting) or split off the training data. Every epoch the
monitor returns a score (higher is better) and the data loss on that set.
"""

import copy
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.metrics import check_scoring, get_scorer, get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import validate_data

from ._arrays import array_ops, on_host
from ._fitted import network_attributes
from ._network import predict_output
from ._objective import Batch, as_targets
from ._sklearn_compat import _check_sample_weight
from ._weights import check_weight_sum, weighted_by_class


class ValidationMonitor(NamedTuple):
    """Scores parameters on early stopping's validation set.

    ``measure(params)`` returns (score, data loss); higher scores are better.
    ``scoring`` names the score in messages. ``X`` holds the validation rows,
    which the weights a fit keeps must predict finite values on too.
    """

    measure: Callable[[np.ndarray], tuple[float, float]]
    scoring: object
    X: object


def given_validation_set(estimator, validation, weighting, X, plan):
    """Return the validation Batch given to fit, checked and encoded, or None.

    ``validation`` is (X_val, y_val, sample_weight_val) as passed to ``fit``,
    ``weighting`` the (target encoder, class weights) of the training data;
    the Batch is in the dtype, library and device of the training data X.

    Class weights apply to it as to the training data (and so to the
    internal split), so that both ways of validating judge alike.
    """
    X_val, y_val, sample_weight_val = validation or (None, None, None)
    if X_val is None and y_val is None:
        return None
    if y_val is None:
        raise ValueError("X_val is provided, but y_val was not provided.")
    if X_val is None:
        raise ValueError("y_val is provided, but X_val was not provided.")
    if not (plan.early_stopping and plan.stochastic):
        raise ValueError(
            "X_val and y_val are passed to fit, but they are only used for "
            "early stopping: set early_stopping=True and a stochastic solver "
            "('sgd' or 'adam')."
        )
    encoder, class_weights = weighting
    X_val = validate_data(
        estimator, X_val, accept_sparse=["csr", "csc"], dtype=X.dtype, reset=False
    )
    y_val = on_host(y_val)
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    check_consistent_length(X_val, y_val)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(
            sample_weight_val, X_val, dtype=X.dtype
        )
    xp = array_ops(X)
    X_val, sample_weight_val = (
        None if part is None else xp.move(part, like=X)
        for part in (X_val, sample_weight_val)
    )
    Y_val = estimator._encode_validation_targets(y_val, encoder)
    sample_weight_val = weighted_by_class(class_weights, y_val, sample_weight_val, X)
    check_weight_sum(sample_weight_val, "sample_weight_val")
    return Batch(X_val, as_targets(Y_val, X), sample_weight_val)


def check_scorer_methods(estimator):
    """Raise a ValueError naming ``scoring`` if its scorer needs a missing method.

    A regressor has no ``predict_proba`` or ``decision_function``: a scorer
    that calls them would fail at the first epoch, deep inside training.
    """
    if not estimator.early_stopping or estimator.scoring not in get_scorer_names():
        return
    # A scorer records which prediction methods it may call (any one will do).
    needs = getattr(get_scorer(estimator.scoring), "_response_method", ())
    needs = [needs] if isinstance(needs, str) else list(needs)
    if needs and not any(hasattr(estimator, method) for method in needs):
        raise ValueError(
            f"scoring={estimator.scoring!r} calls {' or '.join(needs)}, which "
            f"{type(estimator).__name__} does not have: choose a scorer that "
            "uses predict, such as 'r2' or 'neg_mean_squared_error'."
        )


def split_off_validation(data, fraction, stratify, random_state):
    """Return (training Batch, validation Batch) split as scikit-learn's MLP does.

    The rows are chosen on the host, as scikit-learn's ``train_test_split``
    chooses them, and taken on the data's device. ``stratify`` is None or a
    numpy array.
    """
    split = train_test_split(
        np.arange(data.Y.shape[0]),
        random_state=random_state,
        test_size=fraction,
        stratify=stratify,
    )
    xp, parts = array_ops(data.Y), []
    for rows in split:
        rows = xp.move(rows, like=data.Y)
        weight = data.sample_weight
        weight = None if weight is None else xp.take_rows(weight, rows)
        parts.append(
            Batch(xp.take_rows(data.X, rows), xp.take_rows(data.Y, rows), weight)
        )
    train, val = parts
    if val.X.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return train, val


def validation_monitor(estimator, spec, val, encoder):
    """Return the ValidationMonitor of ``estimator.scoring`` on ``val``.

    ``scoring=None`` is the estimator's own score (accuracy or R2), 'loss' the
    negated data loss, anything else a scikit-learn scorer applied to a copy of
    the estimator holding the parameters being scored.
    """
    y_true = estimator._decode_targets(val.Y, encoder)
    scoring = estimator.scoring
    scorer = None if scoring in (None, "loss") else check_scoring(estimator, scoring)
    weight = {} if val.sample_weight is None else {"sample_weight": val.sample_weight}

    def measure(params):
        coefs, intercepts = spec.layout.unpack(params)
        A = predict_output(val.X, coefs, intercepts, spec.hidden, spec.output)
        if not array_ops(A).all_finite(A):
            return np.nan, np.nan
        loss = spec.loss.value(val.Y, A, val.sample_weight)
        if scoring is None:
            score = estimator._score_output(A, y_true, val.sample_weight, encoder)
        elif scoring == "loss":
            score = -loss
        else:
            snapshot = _estimator_holding(estimator, params, spec, encoder)
            score = _scored(scorer, scoring, snapshot, val.X, y_true, weight)
        return float(score), float(loss)

    return ValidationMonitor(measure, scoring, val.X)


def _scored(scorer, scoring, estimator, X, y_true, weight):
    """Return the scorer's score, or raise a ValueError that names ``scoring``."""
    try:
        return scorer(estimator, X, y_true, **weight)
    except (ValueError, TypeError, AttributeError) as error:
        hint = ""
        if "multi_class" in str(error):
            hint = " For a multiclass target use 'roc_auc_ovr' or 'roc_auc_ovo'."
        raise ValueError(
            f"scoring={scoring!r} cannot score the early-stopping validation "
            f"set: {error}{hint}"
        ) from error


def _estimator_holding(estimator, params, spec, encoder):
    """Return a shallow copy of ``estimator`` fitted with ``params``, for scorers."""
    snapshot = copy.copy(estimator)
    vars(snapshot).update(network_attributes(params, spec))
    vars(snapshot).update(estimator._target_attributes(encoder, like=params))
    # The validation rows are already a validated array without column names.
    vars(snapshot).pop("feature_names_in_", None)
    return snapshot


def best_epoch(scores):
    """Return the epoch (counted from 1) of the highest finite score, or None."""
    if not scores:
        return None
    scores = np.asarray(scores, dtype=float)
    if not np.isfinite(scores).any():
        return None
    return int(np.nanargmax(np.where(np.isfinite(scores), scores, np.nan))) + 1
