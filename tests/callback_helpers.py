"""Callbacks for tests: they record every hook of scikit-learn's protocol."""


class Recording:
    """A callback that records every hook, with the model of each finished task."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        """Record the setup."""
        self.events.append(("setup", None, None))

    def on_fit_task_begin(self, estimator, context):
        """Record a task's start."""
        self.events.append(("begin", context.task_name, None))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator):
        """Record a task's end and its model."""
        self.events.append(("end", context.task_name, fitted_estimator))

    def teardown(self, estimator, context):
        """Record the teardown."""
        self.events.append(("teardown", None, None))

    def models(self, task_name):
        """Return the models of the finished tasks named ``task_name``, in order."""
        return [
            model
            for hook, name, model in self.events
            if hook == "end" and name == task_name and model is not None
        ]

    def finished_epochs(self):
        """Return the models of the epoch tasks that finished, in order."""
        return self.models("epoch")


class AutoRecording(Recording):
    """The same, handed on by meta-estimators to the estimators inside them."""

    max_propagation_depth = None
