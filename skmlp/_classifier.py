"""MLPClassifier: class labels in, probabilities out."""

from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._arrays import array_ops, holds_numbers, on_host
from ._base import SOLVERS, BaseMLP, _Request
from ._docstrings import fill
from ._losses import LOSSES, with_label_smoothing
from ._schedules import SCHEDULES
from ._sklearn_compat import (
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _fit_context,
)


def _labels_like(labels, like):
    """Return the numpy labels in the library and on the device of ``like``.

    Only labels that are numbers move; strings stay numpy arrays (as
    scikit-learn's array API classifiers keep them).
    """
    if not holds_numbers(labels):
        return labels
    return array_ops(like).move(labels, like=like)


def _indicator(y, binarizer):
    """Return LabelBinarizer's 0/1 matrix of y as booleans.

    Booleans take an eighth of the memory of floats, and numpy casts them
    inside the arithmetic that uses them (a - y, the losses). Single-label
    targets are compared with the classes directly, skipping the integer
    matrix that ``binarizer.transform`` would build first.
    """
    classes = binarizer.classes_
    if binarizer.y_type_ == "multiclass":
        return np.asarray(y).reshape(-1, 1) == classes
    if binarizer.y_type_ == "binary" and len(classes) == 2:
        return (np.asarray(y) == classes[1]).reshape(-1, 1)
    return binarizer.transform(y).astype(bool)


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier, trained by backpropagation.

    A feed-forward network whose weights are fitted, by L-BFGS, SGD or Adam, to
    minimise the log loss of the class probabilities it predicts. It is a
    drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the
    same parameters, the same fitted attributes, and the same starting weights
    for the same ``random_state``.

    Parameters
    ----------
    <hidden>

    <solver>

    class_weight : dict, 'balanced' or None, default=None
        A factor per class on the sample weights s_i of the objective: a dict
        ``{label: weight}`` gives each class its weight (1 for a class it
        leaves out), and 'balanced' computes
        ``n_samples / (n_classes * np.bincount(y))`` from the training
        targets, so that every class carries the same total weight. None
        weighs all classes alike. Single-output targets only; ``partial_fit``
        takes a dict but not 'balanced'.

        .. versionadded:: 0.1
           skmlp only; scikit-learn's MLP has no class weights.

    <extra>

    label_smoothing : float, default=0.0
        Share eps of every training target moved to the uniform
        distribution: the network learns ``(1 - eps) y + eps / K``, K being
        the number of classes (2 for each column of a binary or multilabel
        target). A softer target keeps the network from pushing its
        probabilities to 0 and 1. ``loss_`` and ``loss_curve_`` measure the
        loss against those targets; predictions and scores use the labels as
        given. 0 turns it off.

        .. versionadded:: 0.1
           skmlp only.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        The labels the classifier knows, in the order of the columns of
        ``predict_proba``.

    <attributes>

    See Also
    --------
    MLPRegressor : The multi-layer perceptron for real-valued targets.
    sklearn.neural_network.MLPClassifier : The scikit-learn estimator this one
        replaces.

    Notes
    -----
    A binary or multilabel target gets logistic outputs and the binary log
    loss; a multiclass target gets a softmax output and the cross-entropy.

    <notes>

    Examples
    --------
    >>> from skmlp import MLPClassifier
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = make_classification(n_samples=100, random_state=1)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y,
    ...                                                     random_state=1)
    >>> clf = MLPClassifier(random_state=1, max_iter=300).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:1]).shape
    (1, 2)
    >>> clf.predict(X_test[:5]).shape
    (5,)
    >>> bool(clf.score(X_test, y_test) > 0.75)
    True
    """

    def __init__(
        self,
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
        class_weight=None,
        scoring=None,
        dropout=0.0,
        max_grad_norm=None,
        weight_decay=0.0,
        label_smoothing=0.0,
    ):
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
        self.class_weight = class_weight
        self.scoring = scoring
        self.dropout = dropout
        self.max_grad_norm = max_grad_norm
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing

    _targets_are_labels = True
    _metric = staticmethod(accuracy_score)

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch on the given data, from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training samples of this chunk, one per row.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Their class labels, or a label indicator matrix for a multilabel
            target.

        sample_weight : array-like of shape (n_samples,), default=None
            The weight s_i of each sample in the objective; None weighs them
            equally.

        classes : array of shape (n_classes,), default=None
            Every label the model will ever be trained on, such as
            ``np.unique(y_all)`` for the target ``y_all`` of the whole data
            set. The first call needs it, since one chunk of ``y`` may lack
            some classes; later calls may leave it out.

        Returns
        -------
        self : object
            The classifier, one epoch further on.
        """
        request = _Request(incremental=True, classes=classes)
        return self._fit(X, y, sample_weight, request)

    def predict(self, X):
        """Return the class labels the network predicts for X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to classify, one per row.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The most probable class of each sample; for a multilabel target, an
            indicator matrix of the labels whose probability exceeds 0.5.
        """
        A = self._forward_output(X, "predict")
        return self._predictions_from_output(A, self._label_binarizer)

    def decision_function(self, X):
        """Return the output layer's values before the output activation.

        .. versionadded:: 0.1
           skmlp only; scikit-learn's MLP has no ``decision_function``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to score, one per row.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The logits z_L: ``predict_proba`` is their softmax (multiclass) or
            logistic sigmoid (binary, multilabel). For a binary target, the
            1-D logit of ``classes_[1]``, positive where it is predicted.
        """
        identity = OUTPUT_ACTIVATIONS["identity"]
        Z = self._forward_output(X, "decision_function", output=identity)
        return array_ops(Z).reshape(Z, (-1,)) if Z.shape[1] == 1 else Z

    def predict_proba(self, X):
        """Return the class probabilities the network predicts for X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to classify, one per row.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class for each sample, one column per
            class in the order of ``classes_``. Rows sum to 1, except for a
            multilabel target, where each column is a probability of its own.
        """
        return self._probabilities(X, "predict_proba")

    def predict_log_proba(self, X):
        """Return the natural logarithm of ``predict_proba(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to classify, one per row.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            The log-probability of each class for each sample, in the column
            order of ``classes_``.
        """
        y_prob = self._probabilities(X, "predict_log_proba")
        return array_ops(y_prob).log(y_prob, out=y_prob)

    def _probabilities(self, X, method):
        """Return the class probabilities for X, one column per class."""
        A = self._forward_output(X, method)
        if self.n_outputs_ == 1:
            return array_ops(A).concat([1 - A, A], axis=1)
        return A

    # ---------------------------------------------- hooks used by BaseMLP.fit
    def _encode_targets(self, y, reset, incremental, classes):
        """Return (the boolean indicator matrix of y, the fitted LabelBinarizer).

        A new binarizer learns the classes of y (of ``classes`` on the first
        ``partial_fit``); one that goes on training raises a ValueError for
        classes of y it does not know.
        """
        if incremental and _check_partial_fit_first_call(self, classes):
            multilabel = type_of_target(y).startswith("multilabel")
            binarizer = LabelBinarizer().fit(y if multilabel else on_host(classes))
        elif reset:
            binarizer = LabelBinarizer().fit(y)
            return _indicator(y, binarizer), binarizer
        else:
            binarizer = self._label_binarizer
        seen = unique_labels(y)
        if self.warm_start and not incremental:
            if set(seen) != set(binarizer.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same "
                    "classes as in the previous call to fit. Previously "
                    f"got {binarizer.classes_}, `y` has {seen}"
                )
        elif len(np.setdiff1d(seen, binarizer.classes_)):
            raise ValueError(
                "`y` has classes not in `self.classes_`. "
                f"`self.classes_` has {binarizer.classes_}. 'y' has {seen}."
            )
        return _indicator(y, binarizer), binarizer

    def _loss(self, binarizer):
        multiclass = binarizer.y_type_ == "multiclass"
        loss = LOSSES["log_loss" if multiclass else "binary_log_loss"]
        if self.label_smoothing:
            loss = with_label_smoothing(loss, self.label_smoothing)
        return loss

    def _class_weights(self, y, incremental):
        """Return {class: weight} from ``class_weight`` and the training y, or None.

        'balanced' weights come from the training targets and are used for the
        validation set too.
        """
        if self.class_weight is None:
            return None
        if np.ndim(y) == 2:
            raise ValueError(
                "class_weight is only supported for single-output targets; "
                "y is a multilabel indicator matrix."
            )
        if self.class_weight != "balanced":
            return self.class_weight
        if incremental:
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: the "
                "class frequencies of one batch are not those of the data. Pass "
                "a dict, e.g. from sklearn.utils.class_weight.compute_class_weight."
            )
        classes = np.unique(y)
        weights = compute_class_weight("balanced", classes=classes, y=y)
        return dict(zip(classes, weights, strict=True))

    def _encode_validation_targets(self, y_val, binarizer):
        unseen = np.setdiff1d(unique_labels(y_val), binarizer.classes_)
        if binarizer.y_type_ != "multilabel-indicator" and len(unseen):
            raise ValueError(
                f"y_val has classes not seen in y: {unseen}. "
                f"The classes are {binarizer.classes_}."
            )
        return _indicator(y_val, binarizer)

    @staticmethod
    def _decode_targets(Y, binarizer):
        xp = array_ops(Y)
        return _labels_like(binarizer.inverse_transform(xp.to_numpy(Y)), Y)

    @staticmethod
    def _predictions_from_output(A, binarizer):
        """Return the labels a LabelBinarizer decodes from the output a_L.

        Labels that are numbers come back in the library and on the device of
        A; strings, which only numpy holds, as a numpy array.
        """
        xp, classes = array_ops(A), binarizer.classes_
        if binarizer.y_type_ == "multiclass":
            indices = xp.argmax(A, axis=1)
        elif binarizer.y_type_ == "binary" and len(classes) == 2:
            indices = xp.astype(A[:, 0] > 0.5, xp.index_dtype)
        else:
            host = xp.to_numpy(A)
            labels = binarizer.inverse_transform(
                host.ravel() if A.shape[1] == 1 else host
            )
            return _labels_like(labels, like=A)
        if not holds_numbers(classes):  # strings: classes[indices] on the host
            return classes.take(on_host(indices))
        return xp.take_rows(xp.move(classes, like=A), indices)

    def _target_attributes(self, binarizer, like):
        classes = _labels_like(binarizer.classes_, like)
        return {"_label_binarizer": binarizer, "classes_": classes}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPClassifier.__doc__ = fill(
    MLPClassifier.__doc__,
    options={
        "activation": HIDDEN_ACTIVATIONS,
        "solver": SOLVERS,
        "learning_rate": SCHEDULES,
    },
    split=(
        "The split is stratified for binary targets only; as in scikit-learn, "
        "multiclass and multilabel targets get a plain random split."
    ),
    score="the accuracy, or what ``scoring`` names",
    default_score="accuracy",
)
