"""A plain-numpy forward pass that the tests use to locate kinks."""


def pre_activations(network, params, X, masks=None):
    """Return z_l of every layer, computed with plain numpy."""
    coefs, intercepts = network.layout.unpack(params)
    a, zs = X, []
    for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = a @ W + b
        zs.append(z)
        a = z.copy()
        network.hidden.function(a)
        if masks is not None and layer < len(masks):
            a = a * masks[layer]
    return zs
