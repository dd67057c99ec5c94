"""A tabular layer's parameters as named views into one flat vector."""

import math


def layer_views(layer, flat):
    """Return the layer's named views into ``flat``, groups one after the other."""
    views, start = {}, 0
    for name, spec in layer.parameters.items():
        size = math.prod(spec.shape)
        views[name] = flat[start : start + size].reshape(spec.shape)
        start += size
    return views


def layer_size(layer):
    """Return the number of parameters of the layer."""
    return sum(math.prod(spec.shape) for spec in layer.parameters.values())
