"""Pictures of a fit: ``LossCurveDisplay`` draws what training recorded.

matplotlib is imported only when something is drawn, so ``import skmlp`` does
not need it; install it with ``pip install "skmlp[plots]"``.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]


def _pyplot(caller):
    """Return matplotlib.pyplot, or raise an ImportError naming the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib: install it with pip install "
            '"skmlp[plots]" (or pip install matplotlib).'
        ) from error
    return plt


class LossCurveDisplay:
    """The training loss per epoch, with what early stopping watched beside it.

    Build it with :meth:`from_estimator` from a fitted model, or directly from
    the curves, then call :meth:`plot`. It follows scikit-learn's Display
    conventions: ``plot`` returns the display, which keeps the axes and lines
    it drew.

    .. versionadded:: 0.1
       skmlp only.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training loss of every epoch (``loss_curve_``).

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        The data loss on the early-stopping validation set after every epoch
        (``validation_loss_curve_``), drawn on the same axis as the loss.

    validation_scores : array-like of shape (n_epochs,), default=None
        The early-stopping score after every epoch (``validation_scores_``),
        drawn on a second y axis at the right.

    best_epoch : int, default=None
        The epoch (counted from 1) whose weights early stopping kept, marked
        by a vertical line.

    estimator_name : str, default=None
        A name for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the losses.

    score_ax_ : matplotlib Axes or None
        The second axes of the validation scores, when there are any.

    figure_ : matplotlib Figure
        The figure holding the axes.

    lines_ : dict of str to matplotlib Line2D
        Every line drawn, by name: 'training loss', and where recorded
        'validation loss', 'validation score' and 'best epoch'.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number
        of training samples, rather than against epochs.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skmlp import MLPClassifier
    >>> from skmlp.plot import LossCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(early_stopping=True, max_iter=300, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['best epoch', 'training loss', 'validation loss', 'validation score']
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        best_epoch=None,
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Return the display of a fitted skmlp estimator's curves, drawn.

        Parameters
        ----------
        estimator : MLPClassifier or MLPRegressor
            A fitted model; with ``solver='lbfgs'`` its curve holds the loss
            after every L-BFGS iteration.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        name : str, default=None
            A name for the title; the estimator's class name when None.

        **kwargs : dict
            Passed to matplotlib's ``plot`` for the training loss line.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        check_is_fitted(estimator)
        scores = getattr(estimator, "validation_scores_", None)
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=scores,
            best_epoch=_best_epoch(scores),
            estimator_name=name or type(estimator).__name__,
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, name=None, **kwargs):
        """Draw the curves and return the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        name : str, default=None
            A name for the title, in place of ``estimator_name``.

        **kwargs : dict
            Passed to matplotlib's ``plot`` for the training loss line.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        plt = _pyplot("LossCurveDisplay.plot")
        if ax is None:
            _, ax = plt.subplots()
        self.ax_, self.figure_, self.score_ax_ = ax, ax.figure, None
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = {
            "training loss": ax.plot(
                epochs, self.loss_curve, **{"label": "training loss", **kwargs}
            )[0]
        }
        if self.validation_loss_curve is not None:
            self.lines_["validation loss"] = ax.plot(
                epochs, self.validation_loss_curve, label="validation loss"
            )[0]
        if self.validation_scores is not None:
            self._plot_scores(epochs)
        if self.best_epoch is not None:
            self.lines_["best epoch"] = ax.axvline(
                self.best_epoch, color="grey", linestyle="--", label="best epoch"
            )
        self._label(name or self.estimator_name)
        return self

    def _plot_scores(self, epochs):
        self.score_ax_ = self.ax_.twinx()
        self.lines_["validation score"] = self.score_ax_.plot(
            epochs,
            self.validation_scores,
            color="tab:green",
            label="validation score",
        )[0]
        self.score_ax_.set_ylabel("validation score")

    def _label(self, title):
        self.ax_.set_xlabel("epoch")
        self.ax_.set_ylabel("loss")
        if title:
            self.ax_.set_title(title)
        self.ax_.legend(handles=list(self.lines_.values()), loc="best")


def _best_epoch(validation_scores):
    """Return the epoch (from 1) of the best finite score, or None."""
    if not validation_scores:
        return None
    scores = np.asarray(validation_scores, dtype=float)
    if not np.isfinite(scores).any():
        return None
    return int(np.nanargmax(np.where(np.isfinite(scores), scores, np.nan))) + 1
