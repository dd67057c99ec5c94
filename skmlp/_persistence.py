"""Saving a fitted network and moving it between array libraries.

What a pickle or a skops file holds is plain data: numpy arrays, numbers,
strings and dicts; the optimiser is its state (``UpdateRule.state``), whose
solver and schedule are registry names checked when loaded. A model trained
on another array library (PyTorch, array_api_strict, ...) is saved with numpy
copies of its arrays and the name of its library and device, and goes back
there when loaded, so skops, which reads numpy arrays only, saves it too.
"""

import copy
import importlib

from ._arrays import array_ops, map_arrays, on_host
from ._optimizers import UpdateRule

#: The fitted attributes that hold arrays, which move between array libraries.
_MOVABLE = ("coefs_", "intercepts_", "classes_", "_optimizer")
#: The libraries a saved model may name; nothing else is imported when loading.
_LIBRARIES = ("array_api_strict", "torch", "cupy", "dpnp", "jax.numpy")
#: The wrappers that give numpy-like libraries (torch, cupy) the standard's API.
_COMPAT_PREFIXES = ("array_api_compat.", "sklearn.externals.array_api_compat.")
_LOCATION = "_array_location"


def _saved_location(weights):
    """Return {library, device} of the weights, or None for numpy arrays."""
    ops = array_ops(weights)
    if ops.name == "numpy":
        return None
    return {"library": ops.xp.__name__, "device": str(ops.device(weights))}


def _mover_to(location):
    """Return the function that moves a numpy array to the saved ``location``."""
    library = location["library"]
    if library not in _LIBRARIES and not library.startswith(_COMPAT_PREFIXES):
        raise ValueError(
            f"This is not a valid skmlp model: it was saved from arrays of "
            f"{library!r}, which is not an array library skmlp loads into."
        )
    xp = importlib.import_module(library)
    devices = xp.__array_namespace_info__().devices()
    device = next((d for d in devices if str(d) == location["device"]), None)
    if device is None:
        raise ValueError(
            f"The model was saved on {library} device {location['device']}, "
            "which this machine does not have."
        )
    like = xp.empty(0, device=device)
    return lambda array: array_ops(like).move(array, like=like)


class PersistenceMixin:
    """Pickle, skops and ``move_estimator_to`` support for the MLP estimators."""

    def __getstate__(self):
        state = super().__getstate__()
        if isinstance(state.get("_optimizer"), UpdateRule):
            # Plain dicts, numbers and arrays rather than skmlp's own objects, so
            # that skops can load a model without trusting internal types.
            state = {**state, "_optimizer": state["_optimizer"].state()}
        location = _saved_location(state["coefs_"][0]) if "coefs_" in state else None
        if location is not None:
            state = {
                **state,
                **{n: map_arrays(state[n], on_host) for n in _MOVABLE if n in state},
                _LOCATION: location,
            }
        return state

    def __setstate__(self, state):
        state = dict(state)
        location = state.pop(_LOCATION, None)
        if location is not None:
            move = _mover_to(location)
            for name in _MOVABLE:
                if name in state:
                    state[name] = map_arrays(state[name], move)
        if isinstance(state.get("_optimizer"), dict):
            state["_optimizer"] = UpdateRule.from_state(state["_optimizer"])
        super().__setstate__(state)

    def __sklearn_array_api_convert__(self, converter):
        """Return a copy with every array moved by ``converter``.

        scikit-learn's ``move_estimator_to`` calls this: weights, numeric
        ``classes_`` and the optimiser's state move; labels that are strings
        stay numpy arrays, and the label encoder stays on the host.
        """
        state = self.__getstate__()
        state.pop(_LOCATION, None)
        moved = copy.copy(self)
        for name, value in state.items():
            if name in _MOVABLE:
                setattr(moved, name, map_arrays(value, converter))
            else:
                setattr(moved, name, copy.deepcopy(value))
        if isinstance(moved.__dict__.get("_optimizer"), dict):
            moved._optimizer = UpdateRule.from_state(moved._optimizer)
        return moved
