"""scipy's own BLAS on one thread while training runs, safe for concurrent fits.

Training does its vector updates through scipy's BLAS (the optimiser steps and
the L2 term, see ``_vectors``; L-BFGS-B its own algebra). When scipy and numpy
each bundle an OpenBLAS (as the pip wheels do), the two thread pools spin
against each other between numpy's matrix products and those updates, slowing
both; vector updates gain nothing from threads anyway. A BLAS that numpy and
scipy share is left alone.

Several fits may run at once in threads (a threading joblib backend, a user's
thread pool), so the limit is shared: see ``_SharedSingleThreadLimit``.
"""

import contextlib
import functools
import os
import threading

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


class _SharedSingleThreadLimit:
    """A one-thread limit on scipy's BLAS that concurrent fits share.

    The fit that finds no limit in place sets it and is the one to restore it,
    from its own thread, when it ends: OpenBLAS may ignore a change made from
    another thread, so handing the restore over could leave the limit set.
    Fits that overlap it run under its limit while it lasts.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._limiter = None

    def acquire(self):
        """Set the limit unless one is in place; return whether this call owns it."""
        with self._lock:
            if self._limiter is not None:
                return False
            scipy_blas = _scipy_own_blas()
            if scipy_blas is None or all(
                lib.num_threads == 1 for lib in scipy_blas.lib_controllers
            ):
                return False
            self._limiter = scipy_blas.limit(limits=1)
            return True

    def release(self, owned):
        """Restore the limits found before, if this call set them."""
        if owned:
            with self._lock:
                self._limiter.restore_original_limits()
                self._limiter = None


_LIMIT = _SharedSingleThreadLimit()


@contextlib.contextmanager
def scipy_blas_on_one_thread():
    """Return a context in which the BLAS that scipy ships runs single-threaded."""
    owned = _LIMIT.acquire()
    try:
        yield
    finally:
        _LIMIT.release(owned)
