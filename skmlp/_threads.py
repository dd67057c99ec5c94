"""scipy's own BLAS on one thread while training runs, safe for concurrent fits.

Training does its vector updates through scipy's BLAS (the optimiser steps and
the L2 term, see ``_vectors``; L-BFGS-B its own algebra). When scipy and numpy
each bundle an OpenBLAS (as the pip wheels do), the two thread pools spin
against each other between numpy's matrix products and those updates, slowing
both; vector updates gain nothing from threads anyway. A BLAS that numpy and
scipy share is left alone.

Several fits may run at once in threads (a threading joblib backend, a user's
thread pool), so the limit is shared: see ``scipy_blas_on_one_thread``.
"""

import contextlib
import functools
import os
import threading
from operator import attrgetter

import scipy

from ._sklearn_compat import _get_threadpool_controller


@functools.cache
def _scipy_own_blas():
    """Return a threadpool controller of the BLAS libraries scipy ships, or None.

    None when scipy uses numpy's BLAS (or one found nowhere in scipy's folders).
    """
    scipy_dir = os.path.dirname(scipy.__file__)
    own_dirs = tuple(
        os.path.realpath(d) + os.sep for d in (scipy_dir, scipy_dir + ".libs")
    )
    controller = _get_threadpool_controller()
    scipy_blas = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas"
        and os.path.realpath(lib.filepath).startswith(own_dirs)
    ]
    return controller.select(filepath=scipy_blas) if scipy_blas else None


# One limit for every fit running at once. The fit that finds no limit in place
# sets it and is the one to restore it, from its own thread, when it ends:
# OpenBLAS may ignore a change made from another thread, so handing the
# restore over could leave the limit set. Fits that overlap it run under its
# limit while it lasts.
_LOCK = threading.Lock()
_LIMITER = []  # the limiter of the fit that set the limit, while it runs


@contextlib.contextmanager
def scipy_blas_on_one_thread():
    """Return a context in which the BLAS that scipy ships runs single-threaded."""
    owned = False
    with _LOCK:
        scipy_blas = None if _LIMITER else _scipy_own_blas()
        libraries = scipy_blas.lib_controllers if scipy_blas else []
        if max(map(attrgetter("num_threads"), libraries), default=1) > 1:
            _LIMITER.append(scipy_blas.limit(limits=1))
            owned = True
    try:
        yield
    finally:
        if owned:
            with _LOCK:
                _LIMITER.pop().restore_original_limits()
