"""Docstring text shared by MLPClassifier and MLPRegressor.

The option lists of registry-backed parameters (``activation``, the regressor's
``loss``) are not written here: the estimator modules pass their registries to
``fill``, which builds the option set and the bullet list from them. This module
imports nothing from the package.
"""

import re
import textwrap

HIDDEN_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The width of each hidden layer, from the input side: ``(64, 32)`` makes
        two hidden layers of 64 and 32 units. An empty tuple leaves no hidden
        layer, so the output layer acts on X directly.

    activation : <activation_options>, default='relu'
        The function f applied elementwise in every hidden layer,
        ``a_l = f(z_l)``; the output layer's own activation follows from the
        target and the loss (see ``out_activation_``). The options, with f(z):

        <activation_list>"""

SOLVER_PARAMETERS = """\
solver : <solver_options>, default='adam'
        The method that minimises the objective J given in the Notes.

        <solver_list>

        On small data sets 'lbfgs' tends to reach a lower loss in less time;
        from a few thousand samples on, 'adam' is a sound default.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights: the objective gains
        ``alpha / (2 S) * ||W||^2``, where ``||W||^2`` is the sum of the squared
        weights (intercepts excluded) and S the number of training samples, or
        the sum of their weights. Larger values give smaller weights and a
        smoother function.

    batch_size : int, default='auto'
        The number of samples behind each gradient step of 'sgd' and 'adam';
        'auto' stands for ``min(200, n_samples)``. 'lbfgs' always uses the
        whole training set and ignores it.

    learning_rate : <learning_rate_options>, default='constant'
        How the step size eta changes from one epoch to the next. As in
        scikit-learn, its own schedules act only with ``solver='sgd'``, and
        'adam' keeps ``eta = learning_rate_init`` under them; the schedules
        marked skmlp only act on 'sgd' and 'adam' alike. 'lbfgs' has no step
        size. The options:

        <learning_rate_list>

    learning_rate_init : float, default=0.001
        The step size eta that 'sgd' and 'adam' start from (Adam's alpha in
        Kingma and Ba's notation). 'lbfgs' does not use it.

    power_t : float, default=0.5
        The exponent p in the 'invscaling' schedule
        ``eta = learning_rate_init / (t_ + 1) ** p``; used only with
        ``solver='sgd'`` and ``learning_rate='invscaling'``.

    max_iter : int, default=200
        The most iterations training may run: epochs (full passes over the
        training data, not mini-batch steps) for 'sgd' and 'adam', L-BFGS
        iterations for 'lbfgs'. Training that has not met the ``tol`` rule by
        then ends with a ``ConvergenceWarning``.

    shuffle : bool, default=True
        Whether 'sgd' and 'adam' draw a fresh random order of the samples, and
        so new mini-batches, at the start of every epoch.

    random_state : int, RandomState instance, default=None
        The source of every random draw of a fit: the initial weights and
        intercepts, the early-stopping split, the order of the mini-batches
        and the dropout masks. Fix it to an int to make fits repeatable; an
        int gives the same starting weights as scikit-learn's MLP with the
        same int.

    tol : float, default=1e-4
        The smallest change that counts as progress. 'sgd' and 'adam' stop
        when the training loss has not fallen by at least ``tol`` (with
        ``early_stopping=True``: the validation score has not risen by at
        least ``tol``) for more than ``n_iter_no_change`` epochs in a row;
        with ``learning_rate='adaptive'`` such a stall lowers the step size
        instead. For 'lbfgs' it is L-BFGS-B's tolerance on the projected
        gradient.

    verbose : bool, default=False
        Whether to print the loss of every iteration (and the validation
        score, with early stopping) to standard output.

    warm_start : bool, default=False
        If True, ``fit`` starts from the weights of the previous fit instead of
        new random ones, and ``loss_curve_`` and ``t_`` carry on; the optimizer
        state (Adam's moments, the SGD velocity) still starts afresh. If False,
        each ``fit`` starts over.

    momentum : float, default=0.9
        The factor mu, in [0, 1], by which 'sgd' keeps the previous update:
        each step moves the weights by ``v = mu * v - eta * g``, for the
        gradient g. 0 turns momentum off.

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's accelerated variant, which moves the
        weights by ``mu * v - eta * g`` with the velocity v just updated, a
        look-ahead step. Has no effect when ``momentum=0``.

    early_stopping : bool, default=False
        Whether 'sgd' and 'adam' stop on a held-out set rather than on the
        training loss. A share ``validation_fraction`` of the training data is
        kept out of training (or ``X_val`` and ``y_val``, when passed to
        ``fit``, are used instead), the model is scored on it after every
        epoch, and training ends once that score has not risen by at least
        ``tol`` for more than ``n_iter_no_change`` epochs in a row. The
        weights of the best-scoring epoch are the ones kept. <split>
        'lbfgs' ignores it.

    validation_fraction : float, default=0.1
        The share of the training data held out for early stopping, in
        [0, 1). Used only when ``early_stopping=True`` and ``fit`` gets no
        ``X_val``.

    beta_1 : float, default=0.9
        The decay of Adam's running average of the gradient (its first moment),
        ``m = beta_1 * m + (1 - beta_1) * g``, in [0, 1). Used only when
        solver='adam'.

    beta_2 : float, default=0.999
        The decay of Adam's running average of the squared gradient (its
        second moment), ``v = beta_2 * v + (1 - beta_2) * g ** 2``, in [0, 1).
        Used only when solver='adam'.

    epsilon : float, default=1e-8
        The constant in the denominator of Adam's step,
        ``eta * m / (sqrt(v) + epsilon)``, that keeps it finite where the
        second moment v is close to 0. Used only when solver='adam'.

    n_iter_no_change : int, default=10
        The patience of the ``tol`` rule: the number of consecutive epochs
        without progress that are tolerated before 'sgd' or 'adam' stops (or,
        with ``learning_rate='adaptive'``, divides the step size by 5).

    max_fun : int, default=15000
        The budget of objective evaluations for 'lbfgs': L-BFGS-B stops once
        it has computed the loss and its gradient this many times, even short
        of ``max_iter`` iterations or of the ``tol`` criterion. Its line
        search may evaluate the loss more than once per iteration, so this
        count is never below ``n_iter_``. 'sgd' and 'adam' ignore it."""

ATTRIBUTES = """\
loss_ : float
        The objective J (data loss plus L2 penalty, see Notes) that the last
        iteration ended with.

    best_loss_ : float or None
        The lowest training loss of any iteration so far, the reference of
        the ``tol`` rule. It is None with ``early_stopping=True``, where
        ``best_validation_score_`` takes that role. Set only when
        solver='sgd' or 'adam'.

    loss_curve_ : list of shape (`n_iter_`,)
        The objective after each iteration: for 'sgd' and 'adam' its mean over
        the mini-batches of the epoch, for 'lbfgs' its value after the L-BFGS
        iteration. A warm start or ``partial_fit`` appends to it.

    validation_scores_ : list of shape (`n_iter_`,) or None
        The score on the held-out set (<score>) after each epoch, or None
        when ``early_stopping=False``. Set only when solver='sgd' or 'adam'.

    best_validation_score_ : float or None
        The highest entry of ``validation_scores_`` (<score>), reached by the
        weights that training kept; None when ``early_stopping=False``. Set
        only when solver='sgd' or 'adam'.

    validation_loss_curve_ : list of shape (`n_iter_`,) or None
        The data loss (without the L2 term) on the validation set after each
        epoch, whenever early stopping uses a validation set; otherwise None.
        Set only when solver='sgd' or 'adam'.

        .. versionadded:: 0.1
           skmlp only.

    t_ : int
        How many training samples the solver has worked through, one count
        per sample and epoch (``n_iter_ * n_samples`` after a single fit).
        It is the time step of the 'invscaling' learning-rate schedule;
        solver='lbfgs' does not advance it.

    coefs_ : list of shape (n_layers - 1,)
        The weight matrices: ``coefs_[l - 1]`` is W_l, of shape (units of
        layer l - 1, units of layer l), in ``z_l = a_{l-1} @ W_l + b_l``;
        layer 0 is the input.

    intercepts_ : list of shape (n_layers - 1,)
        The bias vectors: ``intercepts_[l - 1]`` is b_l, the vector added to
        the pre-activation z_l of layer l.

    n_features_in_ : int
        The number of columns of the X given to :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        The column names of the X given to :term:`fit`; set only when X has
        column names and all of them are strings.

    n_iter_ : int
        The number of iterations the solver has run: epochs for 'sgd' and
        'adam', L-BFGS iterations for 'lbfgs'.

    n_layers_ : int
        The number of layers, input and output layers included:
        ``len(hidden_layer_sizes) + 2``.

    n_outputs_ : int
        The number of units of the output layer.

    out_activation_ : str
        The activation of the output layer, set by the target and the loss:
        'identity', 'logistic', 'softmax' or 'exp'."""

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
           skmlp only.

    max_grad_norm : float or None, default=None
        A cap on the Euclidean norm of each mini-batch gradient of J, taken
        over all weights and intercepts as one vector: a longer gradient is
        scaled down to this norm before 'sgd' or 'adam' steps, so one bad
        batch cannot throw the weights far. None never clips. Needs
        ``solver='sgd'`` or ``'adam'``.

        .. versionadded:: 0.1
           skmlp only.

    weight_decay : float, default=0.0
        Decoupled weight decay (as in AdamW): before each 'sgd' or 'adam'
        step every weight, not the intercepts, is multiplied by
        ``1 - eta * weight_decay``, eta being the step size the learning-rate
        schedule gives at that step. Unlike ``alpha``, it is not part of J, so
        Adam's per-weight scaling does not weaken it. 0 turns it off; L-BFGS
        ignores it.

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

# Option bullets are wrapped to this width, before the docstring's indentation.
_WIDTH = 72


def option_set(registry):
    """Return the numpydoc type of a registry's options, ``{'a', 'b'}``."""
    return "{" + ", ".join(f"'{name}'" for name in registry) + "}"


def option_list(registry, indent=8):
    """Return a bullet ``- 'name': description`` per option of ``registry``.

    ``registry`` maps option names to records with a ``description`` and,
    optionally, a ``skmlp_only`` flag; a closing ``versionadded`` note names
    the options scikit-learn lacks. Lines after the first are indented by
    ``indent`` spaces; the first takes the indentation of its placeholder.
    """
    blocks = ["\n".join(_bullet(name, record) for name, record in registry.items())]
    own = [f"'{name}'" for name, record in registry.items() if _skmlp_only(record)]
    if own:
        verb = "are" if len(own) > 1 else "is"
        blocks.append(f".. versionadded:: 0.1\n   {_joined(own)} {verb} skmlp only.")
    return textwrap.indent("\n\n".join(blocks), " " * indent)[indent:]


def _bullet(name, record):
    """Return the wrapped bullet of one option."""
    # A name ending in "_" (t_, coefs_) would read as a link target in
    # reStructuredText; it is an attribute, so it is set as code.
    description = re.sub(r"(?<![\w`])(\w+_)(?![\w`])", r"``\1``", record.description)
    text = f"- '{name}': {description}"
    # A wrapped line starting with "- ", "+ " or "* " would open a nested list, so
    # every binary operator stays glued to the operand before it.
    for operator in "-+*":
        text = text.replace(f" {operator} ", f"\0{operator} ")
    wrapped = textwrap.fill(
        text,
        width=_WIDTH,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped.replace("\0", " ")


def _skmlp_only(record):
    return getattr(record, "skmlp_only", False)


def _joined(names):
    """Return ``a``, ``a and b`` or ``a, b and c``."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def fill(template, options=None, **sections):
    """Return ``template`` with its ``<name>`` placeholders filled in.

    ``options`` maps a parameter name p to the registry of its options; the
    registry fills ``<p_options>`` (the type, see ``option_set``) and
    ``<p_list>`` (the bullets, see ``option_list``). Other keyword arguments
    are the texts of further placeholders.
    """
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
    # The option placeholders come last: they sit inside the shared sections.
    for parameter, registry in (options or {}).items():
        sections[f"{parameter}_options"] = option_set(registry)
        sections[f"{parameter}_list"] = option_list(registry)
    for name, text in sections.items():
        template = template.replace(f"<{name}>", text)
    unfilled = re.findall(r"<[a-z_]+>", template)
    if unfilled:
        raise ValueError(f"No text for the docstring placeholders {unfilled}.")
    return template
