"""Pictures of a fit: ``LossCurveDisplay`` draws what training recorded.

matplotlib is imported only when something is drawn, so ``import skmlp`` does
not need it; skmlp's ``plots`` extra installs it (``pip install ".[plots]"``
from a clone of the repository).
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._early_stopping import best_epoch
from ._optimizers import OPTIMIZERS

__all__ = ["LossCurveDisplay"]

# Where a fitted meta-estimator keeps the fitted model it wraps: a search
# refitted on the whole data, and TransformedTargetRegressor.
_WRAPPED_MODEL_ATTRIBUTES = ("best_estimator_", "regressor_")

# Points below the bottom of the axes at which a legend outside them starts:
# room for the tick labels and the x-axis label.
_BELOW_X_LABEL = 36


def _pyplot(caller):
    """Return matplotlib.pyplot, or raise an ImportError naming the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib, which skmlp's 'plots' extra installs: "
            'pip install ".[plots]" from a clone of skmlp, or '
            'pip install "skmlp[plots] @ git+<URL of the skmlp repository>" '
            "(pip install matplotlib works too)."
        ) from error
    return plt


def _fitted_network(estimator):
    """Return the fitted model with a ``loss_curve_`` that ``estimator`` is or wraps.

    The last step of a Pipeline, the ``regressor_`` of a
    TransformedTargetRegressor and the ``best_estimator_`` of a search are
    looked into, as deep as they nest.
    """
    check_is_fitted(estimator)
    if hasattr(estimator, "loss_curve_"):
        return estimator
    inner = _wrapped_model(estimator)
    if inner is None:
        raise TypeError(
            "LossCurveDisplay.from_estimator needs a fitted MLPClassifier or "
            "MLPRegressor, or a fitted Pipeline (ending with one), "
            "TransformedTargetRegressor or search with refit=True around one; "
            f"got {type(estimator).__name__}, which has no loss_curve_. "
            "Pass the network itself, or build the display from its curves: "
            "LossCurveDisplay(loss_curve=...)."
        )
    return _fitted_network(inner)


def _wrapped_model(estimator):
    """Return the fitted model a meta-estimator wraps, or None."""
    if isinstance(estimator, Pipeline):
        return estimator[-1]
    for attribute in _WRAPPED_MODEL_ATTRIBUTES:
        if hasattr(estimator, attribute):
            return getattr(estimator, attribute)
    return None


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

    unit : {'epoch', 'iteration'}, default='epoch'
        What one point of the curves stands for, written on the x axis: an
        epoch of the stochastic solvers, or an iteration of L-BFGS.

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

    Notes
    -----
    Every labelled line of the axes keeps its entry in the legend, so several
    displays drawn into one axes (with ``label=`` for each run) share one
    legend. With a validation score on a second axis, the legend goes below
    the axes, where it cannot hide either curve.

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
        unit="epoch",
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name
        self.unit = unit

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Return the display of a fitted skmlp estimator's curves, drawn.

        Parameters
        ----------
        estimator : estimator instance
            A fitted :class:`~skmlp.MLPClassifier` or
            :class:`~skmlp.MLPRegressor`, or a fitted meta-estimator around
            one: a :class:`~sklearn.pipeline.Pipeline` whose last step it is,
            a :class:`~sklearn.compose.TransformedTargetRegressor`, or a
            search refitted on the best parameters (``best_estimator_``),
            nested as deep as needed. With ``solver='lbfgs'`` the curve holds
            the loss after every L-BFGS iteration.

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
        network = _fitted_network(estimator)
        scores = getattr(network, "validation_scores_", None)
        display = cls(
            loss_curve=network.loss_curve_,
            validation_loss_curve=getattr(network, "validation_loss_curve_", None),
            validation_scores=scores,
            best_epoch=best_epoch(scores),
            estimator_name=name or type(estimator).__name__,
            unit=_unit(network),
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
            _, ax = plt.subplots(layout="constrained")
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
        self.ax_.set_xlabel(self.unit)
        self.ax_.set_ylabel("loss")
        if title:
            self.ax_.set_title(title)
        self._legend()

    def _legend(self):
        """Draw one legend for every labelled line of the axes, earlier runs' too."""
        handles, _ = self.ax_.get_legend_handles_labels()
        if self.score_ax_ is None:
            self.ax_.legend(handles=handles, loc="best")
            return
        from matplotlib.transforms import offset_copy

        handles += self.score_ax_.get_legend_handles_labels()[0]
        below = offset_copy(
            self.ax_.transAxes, self.figure_, y=-_BELOW_X_LABEL, units="points"
        )
        self.ax_.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=below,
            ncols=2,
        )


def _unit(network):
    """Return what one point of the network's loss curve stands for."""
    solver = getattr(network, "solver", None)  # the tabular networks have none
    return "epoch" if solver is None or solver in OPTIMIZERS else "iteration"
