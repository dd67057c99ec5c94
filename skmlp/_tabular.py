"""TabularMLPClassifier and TabularMLPRegressor: networks for tables, RealMLP-style.

Each estimator encodes its own input (``TabularPreprocessor``), trains a
RealMLP-style network (``_tabular_training``) and predicts from it; this
module holds their signatures, target encoding and ``predict*``.
"""

import numbers

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets

from ._sklearn_compat import Interval, StrOptions
from ._tabular_base import PARAMETER_CONSTRAINTS, BaseTabularMLP

_COMMON = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(256, 256)
        Width of each hidden layer, input side first. Each hidden layer is a
        dense layer in the NTK parametrisation (``z = a W / sqrt(n_in) + b``),
        a parametric activation ``a + m (f(a) - a)`` with a learned ``m`` per
        unit, and dropout.

    activation : {{'selu', 'mish'}}, default='{activation}'
        The nonlinearity f of the hidden layers.

    n_frequencies : int, default=0
        Number of frequencies of the periodic embedding of each numeric
        column (``cos(2 pi w x + phi)`` mapped linearly to 3 values and put in
        front of the input); RealMLP uses 16. 0, the default, feeds the
        numeric columns in as they are: on the development panel the
        embedding did not pay for its time.

    scaling_layer : bool, default=True
        Whether a learned factor per input column (trained 6 times faster
        than the weights) multiplies the input of the first dense layer.

    n_members : int, default=1
        Number of ensemble members trained together in one network, as TabM
        does: the members share the hidden layers, each has its own output
        layer and its own factors on the input (the scaling layer's, started
        at random signs), their losses are averaged while training and their
        predictions when predicting. Each member costs about the hidden
        layers' time once more. On the development panel 4 members with
        ``hidden_layer_sizes=(128, 128)`` erred less than the default on 13 of
        18 tables, in 1.6 times its time, but not by the geometric mean of the
        errors, which two tables with very few wrong rows swung.

    dropout : float, default=0.15
        Dropout rate after every hidden layer for the first half of training;
        it then follows a half cosine down to 0.

    learning_rate_init : float, default={learning_rate}
        Peak step size of Adam (beta_2 = 0.95). Each parameter group moves at
        its own multiple of it (biases and activations 0.1, embeddings 0.1,
        the scaling layer 6).

    learning_rate_schedule : {{'constant', 'coslog4'}}, default='constant'
        How the step size varies over the ``max_iter`` epochs: 'constant'
        keeps ``learning_rate_init``; 'coslog4' (RealMLP's) runs four cosine
        cycles on a logarithmic time axis, each twice as long as the one
        before, ending at 0. With the best validation epoch kept, the
        constant rate was the more accurate on the development panel.

    weight_decay : float, default=0.02
        Decoupled weight decay: before each step the weights shrink by the
        factor ``1 - eta * weight_decay`` (biases excepted), with
        ``weight_decay`` following the same flat-then-cosine course as
        dropout.

    max_iter : int, default=64
        Number of epochs. Training always runs them all, as the schedules
        depend on that length, then keeps the epoch that scored best on the
        held-out validation rows.

    batch_size : int, default=256
        Rows per mini-batch (fewer when the training set is smaller).

    validation_fraction : float or None, default=0.2
        Share of the training rows held out to pick the best epoch. None (or
        a split that would leave fewer than 2 rows on a side) trains on every
        row and keeps the last epoch.

    max_categories : int or None, default=20
        Most one-hot columns one categorical column may give; see
        ``TabularPreprocessor``.

    smooth_clip : float or None, default=3.0
        Bound of the smooth clipping of robustly scaled numeric columns; see
        ``TabularPreprocessor``. None leaves them unclipped.
"""

_ATTRIBUTES = """\
preprocessor_ : TabularPreprocessor
        The fitted encoder of the input table.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean training loss of each epoch (label smoothing included).

    validation_scores_ : list of float or None
        Score of each epoch on the held-out rows ({score}), or None without
        a validation split.

    best_iteration_ : int or None
        The epoch (counted from 1) whose weights were kept, or None when the
        last epoch's were.

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when X had string column names."""


def _fill(template, **values):
    return template.format(**values)


class TabularMLPClassifier(ClassifierMixin, BaseTabularMLP):
    __doc__ = f"""Classifier for tables: a RealMLP-style network with its own encoding.

    It takes a data frame of numeric and categorical columns (or an array),
    encodes it with ``TabularPreprocessor``, and trains a network with a
    learned input scaling, parametric SELU layers, label smoothing, scheduled
    dropout and weight decay (periodic numeric embeddings on request), and
    keeps the epoch that is most accurate on held-out rows.

    Parameters
    ----------
    {_fill(_COMMON, activation="selu", learning_rate=0.04)}
    label_smoothing : float, default=0.1
        Share eps of the target moved to a uniform distribution over the
        classes: the network learns ``(1 - eps) y + eps / K``.

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``; 'balanced'
        weighs each class inversely to its frequency.

    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, the validation split, the batch order
        and dropout. An int makes ``fit`` reproducible.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    {_fill(_ATTRIBUTES, score="accuracy")}

    See Also
    --------
    TabularMLPRegressor : The same network for real targets.
    MLPClassifier : A plain network on numeric input.

    Notes
    -----
    The objective is the weighted mean of the smoothed log loss,
    ``J = sum_i s_i L(p_i, (1 - eps) y_i + eps / K) / sum_i s_i``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skmlp import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = TabularMLPClassifier(max_iter=8, random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.9)
    True
    """

    _parameter_constraints: dict = {  # noqa: RUF012
        **PARAMETER_CONSTRAINTS,
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _loss_name = "log_loss"

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        activation="selu",
        *,
        n_frequencies=0,
        scaling_layer=True,
        n_members=1,
        dropout=0.15,
        learning_rate_init=0.04,
        learning_rate_schedule="constant",
        weight_decay=0.02,
        max_iter=64,
        batch_size=256,
        validation_fraction=0.2,
        max_categories=20,
        smooth_clip=3.0,
        label_smoothing=0.1,
        class_weight=None,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_frequencies = n_frequencies
        self.scaling_layer = scaling_layer
        self.n_members = n_members
        self.dropout = dropout
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.weight_decay = weight_decay
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.max_categories = max_categories
        self.smooth_clip = smooth_clip
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
        self.random_state = random_state

    def _label_smoothing(self):
        return self.label_smoothing

    def _encode_targets(self, y, sample_weight):
        """Return (one-hot Y, weights with class weights, labels, attributes)."""
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        codes = encoder.transform(y)
        if self.class_weight is not None:
            sample_weight = sample_weight * compute_sample_weight(
                self.class_weight, codes if isinstance(self.class_weight, str) else y
            )
        weighted = np.unique(codes[sample_weight > 0])
        if len(weighted) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes with "
                f"a positive weight; got {len(weighted)} class."
            )
        Y = np.eye(len(encoder.classes_))[codes]
        return Y, sample_weight, codes, {"classes_": encoder.classes_}

    def predict_proba(self, X):
        """Return the probability of each class for each row of X.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, in the order of ``classes_``.
        """
        return softmax(self._output(X), axis=1)

    def predict(self, X):
        """Return the most probable class of each row of X.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        Z = self._output(X)
        return self.classes_[Z.argmax(axis=1)]


class TabularMLPRegressor(RegressorMixin, BaseTabularMLP):
    __doc__ = f"""Regressor for tables: a RealMLP-style network with its own encoding.

    It takes a data frame of numeric and categorical columns (or an array),
    encodes it with ``TabularPreprocessor``, standardises the target, and
    trains a network with a learned input scaling, parametric Mish layers,
    scheduled dropout and weight decay (periodic numeric embeddings on
    request), keeping the epoch with the lowest error on held-out rows.
    Predictions are in the units of y.

    Parameters
    ----------
    {_fill(_COMMON, activation="mish", learning_rate=0.04)}
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, the validation split, the batch order
        and dropout. An int makes ``fit`` reproducible.

    Attributes
    ----------
    y_mean_ : float
        Weighted mean of the training target.

    y_scale_ : float
        Weighted standard deviation of the training target (1 if it is 0).

    {_fill(_ATTRIBUTES, score="minus the mean squared error, standardised")}

    See Also
    --------
    TabularMLPClassifier : The same network for class labels.
    MLPRegressor : A plain network on numeric input.

    Notes
    -----
    The network learns ``u = (y - y_mean_) / y_scale_`` with the objective
    ``J = sum_i s_i (f(x_i) - u_i)^2 / (2 sum_i s_i)``, and predicts
    ``y_mean_ + y_scale_ f(x)``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skmlp import TabularMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = TabularMLPRegressor(max_iter=16, random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.3)
    True
    """

    _loss_name = "squared_error"

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        activation="mish",
        *,
        n_frequencies=0,
        scaling_layer=True,
        n_members=1,
        dropout=0.15,
        learning_rate_init=0.04,
        learning_rate_schedule="constant",
        weight_decay=0.02,
        max_iter=64,
        batch_size=256,
        validation_fraction=0.2,
        max_categories=20,
        smooth_clip=3.0,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_frequencies = n_frequencies
        self.scaling_layer = scaling_layer
        self.n_members = n_members
        self.dropout = dropout
        self.learning_rate_init = learning_rate_init
        self.learning_rate_schedule = learning_rate_schedule
        self.weight_decay = weight_decay
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.max_categories = max_categories
        self.smooth_clip = smooth_clip
        self.random_state = random_state

    def _label_smoothing(self):
        return 0.0

    def _encode_targets(self, y, sample_weight):
        """Return (standardised Y, weights, no strata, the target's mean and scale)."""
        y = np.asarray(y, dtype=np.float64)
        mean = float(np.average(y, weights=sample_weight))
        spread = float(np.sqrt(np.average((y - mean) ** 2, weights=sample_weight)))
        scale = spread if spread > 0 else 1.0
        Y = ((y - mean) / scale)[:, None]
        return Y, sample_weight, None, {"y_mean_": mean, "y_scale_": scale}

    def predict(self, X):
        """Return the predicted target of each row of X, in the units of y.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predictions.
        """
        Z = self._output(X)
        return self.y_mean_ + self.y_scale_ * Z[:, 0]
