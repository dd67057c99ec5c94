"""The private scikit-learn names skmlp relies on, imported in this one place.

scikit-learn may move or change its private helpers between releases; keeping
every such import here means a change there is mended in one module.
"""

from sklearn.base import _fit_context
from sklearn.externals import array_api_compat

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn before 1.9 has no callbacks

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin where callbacks do not exist."""


try:
    from sklearn.utils._array_api import move_to
except ImportError:  # scikit-learn before 1.8

    def move_to(array, *, xp, device):
        """Return ``array`` in namespace ``xp`` on ``device``."""
        if xp.__name__ == "numpy" and hasattr(array, "__dlpack__"):
            return xp.from_dlpack(array)
        return xp.asarray(array, device=device)


from sklearn.utils._array_api import get_namespace_and_device, supported_float_dtypes
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
    "array_api_compat",
    "get_namespace_and_device",
    "move_to",
    "supported_float_dtypes",
]
