"""MLPRegressor: real-valued targets, one or several outputs."""

from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from ._activations import HIDDEN_ACTIVATIONS
from ._arrays import array_ops
from ._base import SOLVERS, BaseMLP, _Request
from ._docstrings import fill
from ._losses import REGRESSION_LOSSES, regression_loss
from ._schedules import SCHEDULES
from ._sklearn_compat import Interval, StrOptions, _fit_context


def _check_numeric(y, name):
    """Raise a ValueError naming ``name`` when y holds strings, not numbers.

    Converting strings such as "1.5" to floats would hide a target that is
    really a label; scikit-learn's MLPRegressor rejects them too.
    """
    kind = np.asarray(y).dtype.kind
    if kind in "USV":
        raise ValueError(
            f"MLPRegressor needs numeric targets, but {name} holds strings "
            f"(dtype {np.asarray(y).dtype}). For class labels use MLPClassifier."
        )


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor, trained by backpropagation.

    A feed-forward network with one output unit per target, whose weights are
    fitted, by L-BFGS, SGD or Adam, to minimise the chosen ``loss``. It is a
    drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`: the
    same parameters, the same fitted attributes, and the same starting weights
    for the same ``random_state``.

    Parameters
    ----------
    loss : <loss_options>, default='squared_error'
        The per-sample loss L(y, a) of the objective, summed over the outputs,
        where a is the output layer's activation. The options:

        <loss_list>

    <hidden>

    <solver>

    huber_delta : float, default=1.0
        The residual size where the Huber loss turns from quadratic to linear.
        It is in the units of ``y``, so it should match the scale of ``y``.
        Only used when ``loss='huber'``.

        .. versionadded:: 0.1
           skmlp only.

    quantile : float, default=0.5
        The quantile to predict with ``loss='quantile'`` (0.5 is the median).

        .. versionadded:: 0.1
           skmlp only.

    <extra>

    Attributes
    ----------
    <attributes>

    See Also
    --------
    MLPClassifier : The multi-layer perceptron for class labels.
    sklearn.neural_network.MLPRegressor : The scikit-learn estimator this one
        replaces.

    Notes
    -----
    For several outputs the squared error is summed over outputs, so ``loss_``
    is the value whose gradient the solver follows. scikit-learn averages it
    over outputs instead, reporting a loss ``n_outputs`` times smaller than the
    one it optimises (its issue #8349), which skews ``tol`` and L-BFGS.
    ``loss='poisson'`` with a negative target raises a ``ValueError``.

    <notes>

    Examples
    --------
    >>> from skmlp import MLPRegressor
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = make_regression(n_samples=200, n_features=20, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    >>> regr = MLPRegressor(solver="lbfgs", random_state=1, max_iter=2000)
    >>> regr = regr.fit(X_train, y_train)
    >>> regr.predict(X_test[:2]).shape
    (2,)
    >>> bool(regr.score(X_test, y_test) > 0.9)
    True
    """

    _targets_are_labels = False
    _metric = staticmethod(r2_score)

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(REGRESSION_LOSSES.keys())],  # a live view of the registry
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        huber_delta=1.0,
        quantile=0.5,
        scoring=None,
        dropout=0.0,
        max_grad_norm=None,
        weight_decay=0.0,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.scoring = scoring
        self.dropout = dropout
        self.max_grad_norm = max_grad_norm
        self.weight_decay = weight_decay

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on the given data, from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples of this chunk, one per row.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets, one column per output.

        sample_weight : array-like of shape (n_samples,), default=None
            The weight s_i of each sample in the objective; None weighs them
            equally.

        Returns
        -------
        self : object
            The regressor, one epoch further on.
        """
        return self._fit(X, y, sample_weight, _Request(incremental=True))

    def predict(self, X):
        """Return the values the network predicts for X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to predict, one per row.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The output layer's activations a_L, one column per output; 1-D
            when the model has a single output.
        """
        return self._predictions_from_output(self._forward_output(X, "predict"), None)

    # ---------------------------------------------- hooks used by BaseMLP.fit
    def _encode_targets(self, y, reset, incremental, classes):
        """Return (y as a 2-D float array, no encoder)."""
        _check_numeric(y, "y")
        Y = np.asarray(y, dtype=float).reshape(len(y), -1)
        check_targets = REGRESSION_LOSSES[self.loss].check_targets
        if check_targets is not None:
            check_targets(Y)
        return Y, None

    def _loss(self, encoder):
        return regression_loss(self.loss, **self.get_params(deep=False))

    def _encode_validation_targets(self, y_val, encoder):
        _check_numeric(y_val, "y_val")
        return self._encode_targets(y_val, True, False, None)[0]

    @staticmethod
    def _decode_targets(Y, encoder):
        return Y

    @staticmethod
    def _predictions_from_output(A, encoder):
        """Return the predicted values: a_L itself, 1-D for a single output."""
        return array_ops(A).reshape(A, (-1,)) if A.shape[1] == 1 else A

    def _target_attributes(self, encoder, like):
        return {}

    def _class_weights(self, y, incremental):
        return None


MLPRegressor.__doc__ = fill(
    MLPRegressor.__doc__,
    options={
        "loss": REGRESSION_LOSSES,
        "activation": HIDDEN_ACTIVATIONS,
        "solver": SOLVERS,
        "learning_rate": SCHEDULES,
    },
    score="the R2 score, or what ``scoring`` names",
    default_score="R2 score",
)
