"""The progress of a fit, told to scikit-learn's callbacks (``sklearn.callback``).

A fit is one task with one subtask per epoch (per iteration for L-BFGS); a
``partial_fit`` call is one task. When no callback listens there are no tasks
(None), and the solvers skip them. The solvers call ``begin_epoch`` and
``end_epoch(state)``; each finished epoch hands the callbacks a model built
from a copy of that epoch's training state (their ``fitted_estimator``), which
shares nothing mutable with the model being trained.
"""


class FitTasks:
    """The fit's task and its epochs' subtasks, in scikit-learn's callback context.

    ``attributes_of(state)`` returns the fitted attributes of a model at that
    training state; it is called only when a callback asks for the model.
    """

    def __init__(self, estimator, data, max_subtasks, attributes_of):
        self.estimator, self.X, self.y = estimator, data[0], data[1]
        self.attributes_of = attributes_of
        self.root = estimator._init_callback_context(max_subtasks=max_subtasks)
        self.root.call_on_fit_task_begin(estimator=estimator, X=self.X, y=self.y)
        self.epoch = None

    def begin_epoch(self):
        """Start an epoch's task."""
        self.epoch = self.root.subcontext(task_name="epoch")
        self.epoch.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def end_epoch(self, state):
        """End an epoch's task, offering the callbacks the model it trained.

        Returns whether a callback asked training to stop after this epoch.
        """
        stop = self.epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            # A copy: training goes on changing the state after this call.
            reconstruction_attributes=lambda: self.attributes_of(state.copy()),
        )
        self.epoch = None
        return bool(stop)

    def end(self, state):
        """End the fit's task, and an epoch's that never finished as empty."""
        if self.epoch is not None:
            self.epoch.call_on_fit_task_end(estimator=self.estimator)
        self.root.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=lambda: self.attributes_of(state.copy()),
        )


class CallTask(FitTasks):
    """A ``partial_fit`` call: one task, without epoch subtasks."""

    def begin_epoch(self):
        """Nothing: the call is the task."""

    def end_epoch(self, state):
        """Nothing: the call is the task, so no callback asks to stop here."""
        return False
