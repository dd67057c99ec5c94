"""The private scikit-learn names skmlp relies on, imported in this one place.

scikit-learn may move or change its private helpers between releases; keeping
every such import here means a change there is mended in one module.
"""

from sklearn.base import _fit_context

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn before 1.9 has no callbacks

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin where callbacks do not exist."""


from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.parallel import _get_threadpool_controller
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "CallbackSupportMixin",
    "Interval",
    "Options",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_get_threadpool_controller",
]
