"""Docstring text shared by MLPClassifier and MLPRegressor."""

import re

HIDDEN_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element represents the number of neurons in the ith
        hidden layer. An empty tuple gives a network with no hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', \
            'gelu', 'softplus', 'silu'}, default='relu'
        Activation function for the hidden layer.

        - 'identity', no-op activation, useful to implement linear bottleneck,
          returns f(x) = x
        - 'logistic', the logistic sigmoid function,
          returns f(x) = 1 / (1 + exp(-x)).
        - 'tanh', the hyperbolic tan function, returns f(x) = tanh(x).
        - 'relu', the rectified linear unit function, returns f(x) = max(0, x)
        - 'leaky_relu', returns f(x) = max(x, 0.01 x).
        - 'elu', returns f(x) = x for x > 0, else exp(x) - 1.
        - 'gelu', the exact Gaussian error linear unit, returns
          f(x) = x Phi(x) with Phi the standard normal CDF.
        - 'softplus', returns f(x) = log(1 + exp(x)).
        - 'silu' (or swish), returns f(x) = x / (1 + exp(-x)).

        .. versionadded:: 0.1
           'leaky_relu', 'elu', 'gelu', 'softplus' and 'silu' are skmlp only."""

SOLVER_PARAMETERS = """\
solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The solver for weight optimization.

        - 'lbfgs' is an optimizer in the family of quasi-Newton methods.
        - 'sgd' refers to stochastic gradient descent.
        - 'adam' refers to a stochastic gradient-based optimizer proposed
          by Kingma, Diederik, and Jimmy Ba.

        'adam' works well on relatively large datasets (thousands of samples
        or more); on small datasets 'lbfgs' can converge faster and better.

    alpha : float, default=0.0001
        Strength of the L2 regularization term. The L2 regularization term
        is divided by the sample size (or the sum of sample weights) when added
        to the loss.

    batch_size : int, default='auto'
        Size of minibatches for stochastic optimizers. If the solver is
        'lbfgs', the model does not use minibatches.
        When set to "auto", `batch_size=min(200, n_samples)`.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning rate schedule for weight updates, used only when
        ``solver='sgd'``.

        - 'constant' is a constant learning rate given by
          'learning_rate_init'.
        - 'invscaling' gradually decreases the learning rate at each
          epoch to ``learning_rate_init / pow(t_ + 1, power_t)``.
        - 'adaptive' keeps the learning rate constant to
          'learning_rate_init' as long as training loss keeps decreasing.
          Each time n_iter_no_change + 1 consecutive epochs fail to decrease
          training loss by at least tol, or fail to increase validation score
          by at least tol if 'early_stopping' is on, the current learning rate
          is divided by 5.

    learning_rate_init : float, default=0.001
        The initial learning rate used. It controls the step-size
        in updating the weights. Only used when solver='sgd' or 'adam'.

    power_t : float, default=0.5
        The exponent for inverse scaling learning rate, used when
        ``learning_rate='invscaling'`` and ``solver='sgd'``.

    max_iter : int, default=200
        Maximum number of iterations. The solver iterates until convergence
        (determined by 'tol') or this number of iterations. For stochastic
        solvers ('sgd', 'adam'), this is the number of epochs (how many times
        each data point is used), not the number of gradient steps.

    shuffle : bool, default=True
        Whether to shuffle samples in each iteration. Only used when
        solver='sgd' or 'adam'.

    random_state : int, RandomState instance, default=None
        Determines random number generation for weights and bias
        initialization, train-test split if early stopping is used, and batch
        sampling when solver='sgd' or 'adam'. Pass an int for reproducible
        results across multiple function calls. The same value gives the same
        starting weights as scikit-learn's MLP.

    tol : float, default=1e-4
        Tolerance for the optimization. When the loss or score is not improving
        by at least ``tol`` for ``n_iter_no_change`` consecutive iterations,
        unless ``learning_rate`` is set to 'adaptive', convergence is
        considered to be reached and training stops.

    verbose : bool, default=False
        Whether to print progress messages to stdout.

    warm_start : bool, default=False
        When set to True, reuse the solution of the previous call to fit as
        initialization (with a new optimizer state), otherwise, just erase the
        previous solution.

    momentum : float, default=0.9
        Momentum for gradient descent update. Should be between 0 and 1. Only
        used when solver='sgd'.

    nesterovs_momentum : bool, default=True
        Whether to use Nesterov's momentum. Only used when solver='sgd' and
        momentum > 0.

    early_stopping : bool, default=False
        Whether to use early stopping to terminate training when validation
        score is not improving. If set to True, it will automatically set
        aside ``validation_fraction`` of training data as validation (or use
        ``X_val`` and ``y_val`` if they are passed to ``fit``) and terminate
        training when validation score is not improving by at least
        ``tol`` for ``n_iter_no_change`` consecutive epochs; the weights with
        the best validation score are kept. <split>
        Only effective when solver='sgd' or 'adam'.

    validation_fraction : float, default=0.1
        The proportion of training data to set aside as validation set for
        early stopping. Must be between 0 and 1.
        Only used if early_stopping is True and no ``X_val`` is passed to
        ``fit``.

    beta_1 : float, default=0.9
        Exponential decay rate for estimates of first moment vector in adam,
        should be in [0, 1). Only used when solver='adam'.

    beta_2 : float, default=0.999
        Exponential decay rate for estimates of second moment vector in adam,
        should be in [0, 1). Only used when solver='adam'.

    epsilon : float, default=1e-8
        Value for numerical stability in adam. Only used when solver='adam'.

    n_iter_no_change : int, default=10
        Maximum number of epochs to not meet ``tol`` improvement.
        Only effective when solver='sgd' or 'adam'.

    max_fun : int, default=15000
        Only used when solver='lbfgs'. Maximum number of loss function calls.
        The solver iterates until convergence (determined by 'tol'), number
        of iterations reaches max_iter, or this number of loss function calls.
        Note that number of loss function calls will be greater than or equal
        to the number of iterations for the `MLPClassifier`."""

ATTRIBUTES = """\
loss_ : float
        The current loss computed with the loss function.

    best_loss_ : float or None
        The minimum loss reached by the solver throughout fitting.
        If `early_stopping=True`, this attribute is set to `None`. Refer to
        the `best_validation_score_` fitted attribute instead.
        Only accessible when solver='sgd' or 'adam'.

    loss_curve_ : list of shape (`n_iter_`,)
        Loss value evaluated at the end of each training step.
        The ith element in the list represents the loss at the ith iteration.
        With solver='lbfgs' it holds the loss after each L-BFGS iteration.
        A warm start or ``partial_fit`` appends to it.

    validation_scores_ : list of shape (`n_iter_`,) or None
        The score at each iteration on a held-out validation set (<score>).
        Only available if `early_stopping=True`, otherwise the attribute is
        set to `None`. Only accessible when solver='sgd' or 'adam'.

    best_validation_score_ : float or None
        The best validation score (i.e. <score>) that triggered the
        early stopping. Only available if `early_stopping=True`, otherwise the
        attribute is set to `None`. Only accessible when solver='sgd' or 'adam'.

    validation_loss_curve_ : list of shape (`n_iter_`,) or None
        The data loss (without the L2 term) on the validation set after each
        epoch, whenever early stopping uses a validation set; otherwise None.
        Only accessible when solver='sgd' or 'adam'.

        .. versionadded:: 0.1
           skmlp only.

    t_ : int
        The number of training samples seen by the solver during fitting.
        Mathematically equals `n_iters * X.shape[0]`, it means
        `time_step` and it is used by optimizer's learning rate scheduler.

    coefs_ : list of shape (n_layers - 1,)
        The ith element in the list represents the weight matrix corresponding
        to layer i.

    intercepts_ : list of shape (n_layers - 1,)
        The ith element in the list represents the bias vector corresponding to
        layer i + 1.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    n_iter_ : int
        The number of iterations the solver has run.

    n_layers_ : int
        Number of layers.

    n_outputs_ : int
        Number of outputs.

    out_activation_ : str
        Name of the output activation function."""

EXTRA_PARAMETERS = """\
scoring : str, callable, 'loss' or None, default=None
        What early stopping monitors on the validation set. None is the
        <default_score>, as in scikit-learn; 'loss' is the data loss on the
        validation set, without the L2 penalty (stored negated, so that higher
        is better); any other string names a
        scikit-learn scorer (see :func:`sklearn.metrics.get_scorer_names`), and a
        callable is a scorer ``scorer(estimator, X, y)``.
        ``validation_scores_`` and ``best_validation_score_`` hold this metric.
        Only used when ``early_stopping=True``.

        .. versionadded:: 0.1
           skmlp only.

    dropout : float, default=0.0
        Probability of zeroing each hidden unit during stochastic training
        (inverted dropout: kept units are scaled by ``1 / (1 - dropout)``, so
        prediction uses the whole network unscaled). Never applied at
        prediction; reproducible with ``random_state``. Not available with
        ``solver='lbfgs'``. ``loss_curve_`` then holds the loss of the thinned
        networks, which is higher and noisier than that of the whole network,
        and the ``tol`` stopping rule watches it.

        .. versionadded:: 0.1
           skmlp only."""

OBJECTIVE_NOTES = """\
The weights are trained by minimising, over the n training samples with
    weights s_i (``sample_weight``, times the class weight for MLPClassifier;
    1 when not given) and S = sum_i s_i::

        J = sum_i s_i L(y_i, f(x_i)) / S + alpha / (2 S) * ||W||^2

    where ||W||^2 sums the squares of every weight (not the intercepts).
    Gradients are computed by hand-written backpropagation in numpy.

    A call to ``fit`` or ``partial_fit`` that raises leaves an already fitted
    model exactly as it was. If training diverges (the loss or the weights
    become NaN or inf), it stops, keeps the last finite weights and emits a
    ``ConvergenceWarning`` instead of leaving non-finite weights behind."""


def fill(template, **sections):
    """Return ``template`` with its ``<name>`` placeholders filled in."""
    sections = {
        "hidden": HIDDEN_PARAMETERS,
        "solver": SOLVER_PARAMETERS.replace("<split>", sections.pop("split", "")),
        "attributes": ATTRIBUTES.replace("<score>", sections.pop("score", "")),
        "notes": OBJECTIVE_NOTES,
        "extra": EXTRA_PARAMETERS.replace(
            "<default_score>", sections.pop("default_score", "")
        ),
        **sections,
    }
    for name, text in sections.items():
        template = template.replace(f"<{name}>", text)
    unfilled = re.findall(r"<[a-z_]+>", template)
    if unfilled:
        raise ValueError(f"No text for the docstring placeholders {unfilled}.")
    return template
