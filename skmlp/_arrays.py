"""Arrays of numpy or of any array API library, through one set of calls.

The network allocates its buffers once and writes into them. numpy writes
with ``out=``; the array API standard has no ``out=``, but assigning into a
buffer, ``buf[...] = A @ B``, is standard. ``array_ops(x)`` returns the
operations for the library of ``x``: for numpy arrays (and scipy sparse
matrices) numpy's own functions, so the numpy path is exactly what it always
was; for any other library its standard functions, wrapped to take ``out=``
by assignment. The other differences between the two live here as well:

- numpy mixes booleans into arithmetic (``delta * (a > 0)``) and Python
  numbers into every function; the standard does neither, so the wrappers
  cast boolean operands and turn numbers into arrays;
- ``add_scaled`` (``y += a * x``) is one BLAS pass (axpy) for numpy, where
  ``y += a * x`` would compute ``a * x`` into a temporary first; a fit runs
  scipy's BLAS on one thread (see ``_threads``), so these calls never compete
  with numpy's threads between matrix products;
- random numbers are drawn with numpy on the host and then moved
  (``move``, ``fill_from_host``), so every library sees the same draws;
- ``scalar(x)`` is a Python float for numpy, but on another library stays a
  0-d array on the device: the losses of an epoch's batches add up there
  and are read back once, at the end of the epoch.
"""

import functools
import math

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas
from scipy.special import erf, expit, xlogy
from sklearn import get_config

from ._sklearn_compat import (
    array_api_compat,
    get_namespace_and_device,
    move_to,
    supported_float_dtypes,
)

# The functions the network, losses and optimisers call with ``out=``, or on
# arrays and Python numbers together; in numpy they are ufuncs or take ``out=``.
_NUMPY_STYLE = (
    "abs",
    "clip",
    "divide",
    "exp",
    "expm1",
    "greater",
    "log",
    "logaddexp",
    "maximum",
    "minimum",
    "multiply",
    "sign",
    "sqrt",
    "subtract",
    "sum",
    "tanh",
)
_SCIPY_SPECIAL = {"erf": erf, "expit": expit, "xlogy": xlogy}
# Called alike in numpy and the standard, without ``out=``.
_PLAIN = (
    "argmax",
    "finfo",
    "max",
    "min",
    "reshape",
    "result_type",
)


# numpy reduces short rows slowly: up to this many columns, a row's maximum or
# sum is cheaper taken a whole column at a time. Below eight numbers numpy sums
# from left to right, so the sums come out the same.
_FEW_COLUMNS = 7

_AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}
# scipy's dot: numpy's matmul of two vectors takes a microsecond longer, and
# warns when the sum overflows (see ``all_finite``).
_DOT = {np.dtype(np.float32): blas.sdot, np.dtype(np.float64): blas.ddot}
# Past this length the dot gains little over numpy's check, and outside a fit's
# one-thread limit (see ``_threads``) scipy's BLAS threads can make it wait
# milliseconds for numpy's.
_DOT_UP_TO = 4096


def _add_scaled_numpy(y, a, x):
    """Add ``a * x`` to the contiguous float vector ``y`` in one BLAS pass."""
    return _AXPY[y.dtype](x, y, a=a)


def _matmul_numpy(A, B, out=None):
    """Return A @ B, written into ``out``; A may be scipy sparse (one extra copy)."""
    if isinstance(A, np.ndarray):
        return np.matmul(A, B, out=out)
    if out is None:
        return A @ B
    out[...] = A @ B
    return out


def _reduce_rows_numpy(ufunc, z):
    """Return ``ufunc`` (np.maximum, np.add) over each row of the 2-D z, as (n, 1)."""
    n_columns = z.shape[1]
    if n_columns > _FEW_COLUMNS:
        return ufunc.reduce(z, axis=1, keepdims=True)
    if n_columns == 1:
        return z.copy()
    total = ufunc(z[:, :1], z[:, 1:2])
    for column in range(2, n_columns):
        ufunc(total, z[:, column : column + 1], out=total)
    return total


# Ones to sum columns with, by dtype, grown to the longest column asked for.
_ONES = {}


def _column_sums_numpy(x, out=None):
    """Return the sums over the rows of the 2-D float array x, written into ``out``.

    numpy sums a C-ordered matrix down its columns one row at a time; the
    product with a vector of ones is the same sum in one BLAS pass, 2-5 times
    sooner.
    """
    n_rows, ones = x.shape[0], _ONES.get(x.dtype)
    if ones is None or ones.shape[0] < n_rows:
        ones = _ONES[x.dtype] = np.ones(n_rows, x.dtype)
    return np.matmul(ones[:n_rows], x, out=out)


def _where_numpy(condition, x1, x2, out=None):
    """Return x1 where ``condition`` holds, else x2, written into ``out``."""
    if out is None:
        return np.where(condition, x1, x2)
    out[...] = np.where(condition, x1, x2)
    return out


class NumpyOps:
    """numpy's functions as they are, plus what the standard spells otherwise."""

    index_dtype = np.intp
    #: numpy casts booleans inside arithmetic, so boolean targets can stay so.
    takes_boolean_targets = True

    def __init__(self, sparse=False):
        for name in _NUMPY_STYLE + _PLAIN:
            setattr(self, name, getattr(np, name))
        vars(self).update(_SCIPY_SPECIAL)
        # np.matmul takes no scipy sparse matrix; the operations of sparse
        # input (array_ops of one) multiply through scipy instead.
        self.matmul = _matmul_numpy if sparse else np.matmul
        self.where = _where_numpy
        self.column_sums = _column_sums_numpy
        # What np.sum, np.max and np.argmax call for an ndarray: the same
        # results, but a microsecond less per call, which a one-row prediction
        # notices. The reductions default to the whole array, as np.sum does.
        self.sum = functools.partial(np.add.reduce, axis=None)
        self.max = functools.partial(np.maximum.reduce, axis=None)
        self.argmax = np.ndarray.argmax
        self.row_max = functools.partial(_reduce_rows_numpy, np.maximum)
        self.row_sum = functools.partial(_reduce_rows_numpy, np.add)
        self.concat = np.concatenate
        self.copyto = np.copyto
        self.add_scaled = _add_scaled_numpy
        # numpy's own callables where they take the standard's arguments:
        # empty and zeros take ``like=``, a copy is ndarray.copy, a 0-d array
        # reads back with float, and a host array is numpy already.
        self.empty, self.zeros, self.copy = np.empty, np.zeros, np.ndarray.copy
        self.scalar, self.to_numpy, self.numpy_dtype = float, np.asarray, np.dtype
        self.name = "numpy"

    @staticmethod
    def device(x):
        """Return the device of x: always the host."""
        return "cpu"

    @staticmethod
    def wide_float(like=None):
        """Return float64, the widest float."""
        return np.float64

    @staticmethod
    def astype(x, dtype):
        """Return x as ``dtype``, x itself when it has that dtype already."""
        return x.astype(dtype, copy=False)

    @staticmethod
    def take_rows(rows, order, out=None):
        """Return ``rows[order]``, written into ``out`` if given and rows is dense.

        ``out`` may be of another dtype (boolean targets gathered as floats).
        """
        if not isinstance(rows, np.ndarray):
            return rows[order]  # scipy sparse
        if out is None:
            return rows.take(order, axis=0)
        part = out[: len(order)]
        if out.dtype != rows.dtype:
            part[...] = rows.take(order, axis=0)
            return part
        # mode="clip" lets numpy write straight into ``out``; order is in range.
        return rows.take(order, axis=0, out=part, mode="clip")

    @staticmethod
    def all_finite(x):
        """Return whether every entry of x is finite.

        For a short vector, a NaN or an infinity makes x @ x NaN or infinite,
        so a finite x @ x answers at once; an infinite one (which large finite
        entries give too) has every entry looked at.
        """
        dot = _DOT.get(x.dtype)
        short = dot is not None and x.ndim == 1 and x.shape[0] <= _DOT_UP_TO
        if short and math.isfinite(dot(x, x)):
            return True
        return bool(np.isfinite(x).all())

    @staticmethod
    def move(x, like=None):
        """Return x (an array of any library, a list) as a numpy array on the host.

        scipy sparse matrices are returned as they are; ``like`` is a host
        array, if given, since every numpy array lives on the host.
        """
        if isinstance(x, np.ndarray) or sp.issparse(x):
            return x
        if array_api_compat.is_array_api_obj(x):
            return move_to(x, xp=np, device="cpu")
        return np.asarray(x)

    @staticmethod
    def fill_from_host(buffer, fill):
        """Let ``fill`` write a numpy array, and put what it wrote into ``buffer``."""
        fill(buffer)


def _as_operand(value, reference, xp):
    """Return ``value`` as an array the standard's functions take with ``reference``.

    Python numbers become 0-d arrays of the reference's dtype (as numpy treats
    them); booleans are cast to it, as numpy's arithmetic casts them.
    """
    if isinstance(value, bool | int | float):
        return xp.asarray(value, dtype=reference.dtype, device=reference.device)
    if value.dtype == xp.bool and reference.dtype != xp.bool:
        return xp.astype(value, reference.dtype)
    return value


def _with_out(function, xp, casts_operands):
    """Return ``function`` taking numpy's ``out=``, which it assigns into."""

    def call(*args, out=None, **kwargs):
        if casts_operands:
            reference = next(a for a in (out, *args) if hasattr(a, "dtype"))
            args = [_as_operand(a, reference, xp) for a in args]
        result = function(*args, **kwargs)
        if out is None:
            return result
        out[...] = result if result.dtype == out.dtype else xp.astype(result, out.dtype)
        return out

    return call


class ArrayApiOps:
    """The functions of an array API namespace ``xp``, called as numpy's are."""

    def __init__(self, xp):
        self.takes_boolean_targets = False
        self.xp, self.name = xp, xp.__name__.rsplit(".", 1)[-1]
        self.index_dtype = xp.int64
        self._wide_floats = {}  # by device: asked once per batch for the loss
        for name in _NUMPY_STYLE:
            setattr(self, name, _with_out(getattr(xp, name), xp, name != "sum"))
        self.expit = _with_out(self._expit, xp, casts_operands=False)
        self.xlogy = _with_out(self._xlogy, xp, casts_operands=False)
        # scipy runs erf natively on torch, CuPy and JAX, and through numpy
        # on the host for other libraries.
        self.erf = _with_out(erf, xp, casts_operands=False)
        for name in _PLAIN:
            setattr(self, name, getattr(xp, name))
        self.matmul = _with_out(xp.matmul, xp, casts_operands=False)
        self.concat = xp.concat
        self.where = _with_out(xp.where, xp, casts_operands=False)
        self.row_max = functools.partial(xp.max, axis=1, keepdims=True)
        self.row_sum = functools.partial(xp.sum, axis=1, keepdims=True)
        self.column_sums = _with_out(functools.partial(xp.sum, axis=0), xp, False)

    def __repr__(self):
        return f"ArrayApiOps({self.name})"

    def _expit(self, x):
        """Return 1 / (1 + exp(-x)), the logistic sigmoid."""
        return 1 / (1 + self.xp.exp(-x))

    def _xlogy(self, x, y):
        """Return x log(y), and 0 where x is 0."""
        return self.xp.where(x == 0, 0.0, x * self.xp.log(y))

    @staticmethod
    def device(x):
        """Return the device of x."""
        return x.device

    def wide_float(self, like):
        """Return float64, or float32 where the device of ``like`` has no float64."""
        device = str(like.device)  # some libraries' devices cannot be hashed
        if device not in self._wide_floats:
            info = self.xp.__array_namespace_info__()
            floats = info.dtypes(kind="real floating", device=like.device)
            self._wide_floats[device] = floats.get("float64", floats["float32"])
        return self._wide_floats[device]

    def empty(self, shape, dtype, like):
        """Return an uninitialised array on the device of ``like``."""
        return self.xp.empty(shape, dtype=dtype, device=like.device)

    def zeros(self, shape, dtype, like):
        """Return an array of zeros on the device of ``like``."""
        return self.xp.zeros(shape, dtype=dtype, device=like.device)

    def astype(self, x, dtype):
        """Return x as ``dtype``, x itself when it has that dtype already."""
        return self.xp.astype(x, dtype, copy=False)

    def copy(self, x):
        """Return a copy of x."""
        return self.xp.asarray(x, copy=True)

    @staticmethod
    def copyto(out, x):
        """Write x into ``out``."""
        out[...] = x

    @staticmethod
    def add_scaled(y, a, x):
        """Add ``a * x`` to ``y`` in place and return ``y``."""
        y += a * x
        return y

    def take_rows(self, rows, order, out=None):
        """Return ``rows[order]``, written into the first rows of ``out`` if given."""
        if out is None:
            return self.xp.take(rows, order, axis=0)
        part = out[: order.shape[0], ...]
        part[...] = self.xp.take(rows, order, axis=0)
        return part

    def scalar(self, x):
        """Return the 0-d x in the widest float of its device, left there."""
        return self.xp.astype(x, self.wide_float(x))

    def all_finite(self, x):
        """Return whether every entry of x is finite (one value read back)."""
        return bool(self.xp.all(self.xp.isfinite(x)))

    def move(self, x, like):
        """Return the array x, of any library, in this one on the device of like."""
        return move_to(x, xp=self.xp, device=like.device)

    @staticmethod
    def to_numpy(x):
        """Return x as a numpy array on the host."""
        return move_to(x, xp=np, device="cpu")

    @staticmethod
    def numpy_dtype(dtype):
        """Return numpy's dtype of the same name as ``dtype``."""
        return np.dtype(str(dtype).rsplit(".", 1)[-1])

    def fill_from_host(self, buffer, fill):
        """Let ``fill`` write a numpy array, and copy what it wrote into ``buffer``."""
        host = np.empty(buffer.shape, dtype=self.numpy_dtype(buffer.dtype))
        fill(host)
        buffer[...] = self.move(host, like=buffer)


NUMPY = NumpyOps()
NUMPY_SPARSE = NumpyOps(sparse=True)
#: x (an array of any library, a list) as a numpy array on the host.
on_host = NUMPY.move
# An array's type decides its library (numpy, torch.Tensor, cupy.ndarray...).
_OPS_OF_TYPE = {np.ndarray: NUMPY}


@functools.cache
def _ops_of_namespace(xp):
    return ArrayApiOps(xp)


def array_ops(array, *others):
    """Return the operations of the library the arrays belong to.

    numpy arrays, scipy sparse matrices and Python objects get numpy's;
    arrays of one other library get that library's. Arrays of different
    libraries raise a ValueError naming them.
    """
    if not others:
        # On every call of the network: one look-up by type, once it is known.
        ops = _OPS_OF_TYPE.get(type(array))
        if ops is not None:
            return ops
    found = [a for a in (array, *others) if a is not None]
    if all(type(a) is np.ndarray for a in found):
        return NUMPY
    if all(type(a) is np.ndarray or sp.issparse(a) for a in found):
        return NUMPY_SPARSE
    names = {_library(a) for a in found}
    if len(names) > 1:
        raise ValueError(
            f"Arrays of different libraries were given together: {sorted(names)}."
        )
    namespace = array_api_compat.array_namespace(*found)
    ops = NUMPY if array_api_compat.is_numpy_namespace(namespace) else None
    ops = ops or _ops_of_namespace(namespace)
    if len(found) == 1:
        _OPS_OF_TYPE[type(found[0])] = ops
    return ops


def _library(array):
    """Return the name of the library an array belongs to ('numpy', 'torch', ...)."""
    if isinstance(array, np.ndarray) or sp.issparse(array):
        return "numpy"
    return type(array).__module__.split(".", 1)[0]


def float_dtypes_for(X):
    """Return the float dtypes training accepts for X, the preferred one first.

    numpy's float64 and float32 without array API dispatch (or for numpy
    input); with it, those of X's namespace that X's device supports, so that
    a device without float64 trains in float32.
    """
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api or array_api_compat.is_numpy_namespace(xp):
        return (np.float64, np.float32)
    supported = supported_float_dtypes(xp, device)
    return tuple(d for d in (xp.float64, xp.float32) if d in supported)


def checked_input(X, name):
    """Return X ready for scikit-learn's checks, or raise what they would miss.

    A sparse X under array API dispatch and a complex array of another library
    (numpy's are refused by scikit-learn) raise a ValueError naming ``name``;
    a tensor that records gradients is detached, as scikit-learn's own array
    API estimators take it.
    """
    if sp.issparse(X) and get_config()["array_api_dispatch"]:
        raise ValueError(
            f"{name} is a scipy sparse matrix, but array_api_dispatch=True: "
            "sparse input is numpy-only. Pass a dense array of the namespace to "
            "train in, or turn array API dispatch off."
        )
    if isinstance(X, np.ndarray) or not array_api_compat.is_array_api_obj(X):
        return X
    if array_api_compat.array_namespace(X).isdtype(X.dtype, "complex floating"):
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}.")
    return X.detach() if getattr(X, "requires_grad", False) else X


def holds_numbers(value):
    """Return whether value is an array of numbers (not of strings or objects)."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    return array_api_compat.is_array_api_obj(value) and not sp.issparse(value)


def map_arrays(tree, function):
    """Return ``tree`` with ``function(array)`` in place of each numeric array.

    ``tree`` is nested dicts, lists and tuples of arrays and plain values;
    entries of a dict whose key starts with "_" are scratch and left out.
    """
    if isinstance(tree, dict):
        return {
            key: map_arrays(value, function)
            for key, value in tree.items()
            if not str(key).startswith("_")
        }
    if isinstance(tree, list | tuple):
        return type(tree)(map_arrays(item, function) for item in tree)
    return function(tree) if holds_numbers(tree) else tree


def describe(array):
    """Return 'library on device' for messages, e.g. 'torch on cuda:0'."""
    ops = array_ops(array)
    return f"{ops.name} on {ops.device(array)}"
