"""Numbers a network can learn from, made from a table of mixed columns.

For a numeric column with training median ``m`` and spread ``s``::

    u = (x - m) / s,    out = u / sqrt(1 + (u / c)^2)

where ``s`` is the interquartile range (half the range where the two quartiles
coincide, 1 for a constant column) and ``c`` the ``smooth_clip`` bound. A
missing value becomes ``m`` (so ``out = 0``) and, where the column had missing
values in ``fit``, a 0/1 indicator column says which rows did. A categorical
column becomes one 0/1 column per level.
"""

import numbers
from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._sklearn_compat import Interval, _fit_context

__all__ = ["TabularPreprocessor"]


def _is_missing(value):
    """Return whether ``value`` stands for a missing entry (None, NaN, NA, NaT)."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return type(value).__name__ in {"NAType", "NaTType"}


def _as_text(value):
    """Return the text a categorical value is compared by, or None if missing."""
    return None if _is_missing(value) else str(value)


def _holds_numbers(column):
    """Return whether every entry of an object column is a real number."""
    return all(
        isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
        for value in column
    )


def _is_numeric_dtype(dtype):
    """Return whether a pandas, polars or numpy column dtype holds numbers."""
    if hasattr(dtype, "is_numeric"):  # polars
        return dtype.is_numeric()
    return getattr(dtype, "kind", "O") in "iuf"


def _is_frame(X):
    """Return whether X is a data frame (pandas, polars) with column dtypes."""
    return hasattr(X, "dtypes") and hasattr(X, "columns")


def _categorical_mask(X_input, X):
    """Return a boolean mask of the categorical columns of ``X``.

    A data frame's column dtypes decide; for an array, a numeric dtype makes
    every column numeric and an object array is read column by column.
    """
    if _is_frame(X_input):
        return np.array([not _is_numeric_dtype(dtype) for dtype in X_input.dtypes])
    if X.dtype.kind in "iuf":
        return np.zeros(X.shape[1], dtype=bool)
    if X.dtype.kind != "O":
        return np.ones(X.shape[1], dtype=bool)
    return np.array([not _holds_numbers(column) for column in X.T], dtype=bool)


def _as_float(columns):
    """Return numeric columns as float64, NaN where an entry is missing."""
    try:
        values = columns.astype(np.float64)
    except (TypeError, ValueError):  # None or pandas.NA among the numbers
        values = np.array(
            [[np.nan if _is_missing(v) else v for v in row] for row in columns],
            dtype=np.float64,
        ).reshape(columns.shape)
    if np.isinf(values).any():
        raise ValueError("Input X contains infinity in a numeric column.")
    return values


def _robust_statistics(values):
    """Return the median and spread of each column, NaN left out.

    The spread is the interquartile range; where the quartiles coincide, half
    the range; where the column is constant (or all missing), 1.
    """
    center, scale = np.zeros(values.shape[1]), np.ones(values.shape[1])
    for column in range(values.shape[1]):
        seen = values[~np.isnan(values[:, column]), column]
        if seen.size == 0:
            continue
        q25, center[column], q75 = np.percentile(seen, [25, 50, 75])
        half_range = (seen.max() - seen.min()) / 2
        spread = q75 - q25 if q75 > q25 else half_range
        scale[column] = spread if spread > 0 else 1.0
    return center, scale


def _levels(texts, max_categories):
    """Return (levels kept as columns, levels sent to 'other') of one column.

    The most frequent levels are kept, ties broken by their text; when there
    are more than ``max_categories``, all but ``max_categories - 1`` share the
    'other' column. Kept levels are sorted, the missing level (None) last.
    """
    counts = Counter(texts)
    ranked = sorted(counts, key=lambda level: (-counts[level], level is None, level))
    if max_categories is not None and len(ranked) > max_categories:
        kept, other = ranked[: max_categories - 1], ranked[max_categories - 1 :]
    else:
        kept, other = ranked, []
    in_order = sorted(kept, key=lambda level: (level is None, level or ""))
    return _level_array(in_order), _level_array(sorted(other, key=str))


def _level_array(levels):
    """Return levels as an object array, the missing level as NaN."""
    return np.array([np.nan if level is None else level for level in levels], object)


def _one_hot(texts, kept, other):
    """Return the 0/1 columns of one categorical column: kept levels, then other.

    A level not seen in ``fit`` goes to the 'other' column where there is one,
    and to no column otherwise.
    """
    has_other = len(other) > 0
    position = {_as_text(level): index for index, level in enumerate(kept)}
    fallback = len(kept) if has_other else -1
    codes = np.array([position.get(text, fallback) for text in texts], dtype=int)
    encoded = np.zeros((len(texts), len(kept) + has_other))
    rows = np.flatnonzero(codes >= 0)
    encoded[rows, codes[rows]] = 1.0
    return encoded


def _level_name(level):
    """Return the text a level contributes to an output feature name."""
    return "nan" if _is_missing(level) else str(level)


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """Encode a table of numeric and categorical columns for a neural network.

    Numeric columns are centred on their median, divided by their
    interquartile range and then squashed smoothly into ``(-smooth_clip,
    smooth_clip)``: values near the median pass almost unchanged, while
    outliers are pulled in without being cut off. Missing numeric values are
    replaced by the median and flagged in an extra 0/1 column. Categorical
    columns are one-hot encoded, with rare levels pooled into one 'other'
    column when a column has too many. This is the input encoding of
    RealMLP (Holzmüller et al., 2024), as a transformer for any pipeline.

    Parameters
    ----------
    max_categories : int or None, default=20
        Most output columns one categorical column may produce. A column with
        more levels than this keeps its ``max_categories - 1`` most frequent
        levels (ties go to the level whose text sorts first) and pools the
        rest into an 'other' column; a missing value counts as one more
        level. None keeps every level.

    smooth_clip : float or None, default=3.0
        Bound ``c`` of the squashing ``u / sqrt(1 + (u / c)^2)`` applied to
        each robustly scaled numeric value ``u``. None leaves ``u`` as it is.

    Attributes
    ----------
    is_categorical_ : ndarray of shape (n_features_in_,), dtype=bool
        Which input columns are encoded as categories. In a data frame, a
        column is numeric when its dtype holds integers or floats (nullable
        ones too) and categorical when it is object, string, category or
        bool; convert other dtypes, such as datetimes, first. In an array, a
        numeric dtype makes every column numeric, a string or bool dtype every
        column categorical, and in an object array a column is numeric when
        all its entries are numbers.

    center_ : ndarray of shape (n_numeric,)
        Median of each numeric column in ``fit``, missing values left out.

    scale_ : ndarray of shape (n_numeric,)
        Divisor of each numeric column: its interquartile range, or half its
        range where both quartiles are equal, or 1 for a constant column.

    has_missing_ : ndarray of shape (n_numeric,), dtype=bool
        Which numeric columns had missing values in ``fit`` and so get an
        indicator column.

    categories_ : list of ndarray
        For each categorical column, the levels given a column of their own,
        as text, sorted, with NaN last standing for the missing level. Values
        are compared by their text, ``str(value)``.

    other_categories_ : list of ndarray
        For each categorical column, the levels pooled into its 'other'
        column; empty when the column has no 'other' column.

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when ``X`` had string column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : Median and interquartile scaling alone.
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of categories alone.

    Notes
    -----
    The output holds, in this order: the scaled numeric columns, the missing
    indicators, then the one-hot block of each categorical column (its kept
    levels, then 'other'). A categorical value not seen in ``fit`` (including
    a missing one) goes to the column's 'other' column, or to all zeros when
    the column has none. A numeric column that was complete in ``fit`` gets
    no indicator, so a missing value there later is only replaced by the
    median.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp import TabularPreprocessor
    >>> X = np.array([["a", 1.0], ["b", 2.0], ["a", np.nan], ["c", 4.0]], dtype=object)
    >>> encoder = TabularPreprocessor().fit(X)
    >>> encoder.get_feature_names_out()
    array(['x1', 'x1_missing', 'x0_a', 'x0_b', 'x0_c'], dtype=object)
    >>> encoder.transform(X).round(3)
    array([[-0.651,  0.   ,  1.   ,  0.   ,  0.   ],
           [ 0.   ,  0.   ,  0.   ,  1.   ,  0.   ],
           [ 0.   ,  1.   ,  1.   ,  0.   ,  0.   ],
           [ 1.218,  0.   ,  0.   ,  0.   ,  1.   ]])
    """

    _parameter_constraints: dict = {  # noqa: RUF012 (scikit-learn's convention)
        "max_categories": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "smooth_clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, max_categories=20, smooth_clip=3.0):
        self.max_categories = max_categories
        self.smooth_clip = smooth_clip

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the medians, spreads and category levels of the columns of X.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Training table: a pandas or polars data frame, or an array.

        y : None
            Ignored; accepted so the transformer fits in a pipeline.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        before = dict(self.__dict__)
        try:
            self._learn(X)
        except BaseException:
            self.__dict__ = before  # a failed fit leaves the transformer as it was
            raise
        return self

    def _learn(self, X):
        """Set the fitted attributes from the table X."""
        X_input, X = X, self._checked_array(X, reset=True)
        is_categorical = _categorical_mask(X_input, X)
        values = _as_float(X[:, ~is_categorical])
        self.center_, self.scale_ = _robust_statistics(values)
        self.has_missing_ = np.isnan(values).any(axis=0)
        texts = [[_as_text(v) for v in column] for column in X[:, is_categorical].T]
        levels = [_levels(column, self.max_categories) for column in texts]
        self.categories_ = [kept for kept, _ in levels]
        self.other_categories_ = [other for _, other in levels]
        self.is_categorical_ = is_categorical

    def _checked_array(self, X, *, reset):
        """Return X as a 2-D numpy array, checked as scikit-learn checks input.

        A data frame becomes an object array as it is, since scikit-learn's
        own conversion would cast nullable and category columns to floats.
        """
        if not _is_frame(X):
            return validate_data(
                self, X, dtype=None, ensure_all_finite="allow-nan", reset=reset
            )
        validate_data(self, X, skip_check_array=True, reset=reset)
        X = np.asarray(X, dtype=object)
        return check_array(X, dtype=None, ensure_all_finite="allow-nan", estimator=self)

    def transform(self, X):
        """Encode X into the numeric matrix described in Notes.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Scaled numeric columns, missing indicators, then one-hot columns.
        """
        check_is_fitted(self)
        X = self._checked_array(X, reset=False)
        values = _as_float(X[:, ~self.is_categorical_])
        missing = np.isnan(values)
        # A missing value sits at the median, so it scales and squashes to 0.
        U = (np.where(missing, self.center_, values) - self.center_) / self.scale_
        scaled = self._squash(U)
        blocks = [scaled, missing[:, self.has_missing_].astype(np.float64)]
        columns = X[:, self.is_categorical_].T
        levels = zip(self.categories_, self.other_categories_, strict=True)
        for column, (kept, other) in zip(columns, levels, strict=True):
            blocks.append(_one_hot([_as_text(v) for v in column], kept, other))
        return np.hstack(blocks)

    def _squash(self, U):
        """Return U / sqrt(1 + (U / c)^2), or U itself when c is None."""
        if self.smooth_clip is None:
            return U
        return U / np.sqrt(1.0 + (U / self.smooth_clip) ** 2)

    def get_feature_names_out(self, input_features=None):
        """Return the names of the output columns, in the order of ``transform``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the input columns. None uses ``feature_names_in_`` if it
            exists and ``x0, x1, ...`` otherwise.

        Returns
        -------
        feature_names_out : ndarray of str objects
            A numeric column keeps its name; its indicator is
            ``<name>_missing``; one-hot columns are ``<name>_<level>`` (``nan``
            for the missing level) and ``<name>_other``.
        """
        check_is_fitted(self)
        names = self._input_names(input_features)
        numeric, categorical = names[~self.is_categorical_], names[self.is_categorical_]
        out = [*numeric, *(f"{name}_missing" for name in numeric[self.has_missing_])]
        for name, kept, other in zip(
            categorical, self.categories_, self.other_categories_, strict=True
        ):
            out += [f"{name}_{_level_name(level)}" for level in kept]
            out += [f"{name}_other"] if len(other) else []
        return np.asarray(out, dtype=object)

    def _input_names(self, input_features):
        """Return the input column names as an object array, checked against fit."""
        fitted_names = getattr(self, "feature_names_in_", None)
        if input_features is None:
            if fitted_names is not None:
                return np.asarray(fitted_names, dtype=object)
            return np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        names = np.asarray(input_features, dtype=object)
        if fitted_names is not None and not np.array_equal(names, fitted_names):
            raise ValueError("input_features is not equal to feature_names_in_")
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to n_features_in_ "
                f"({self.n_features_in_}), got {len(names)}."
            )
        return names

    def __sklearn_tags__(self):
        """Return the tags: NaN and strings accepted, float64 out."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
