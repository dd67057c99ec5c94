"""The leanest numpy version of the benchmark's training epoch.

One epoch of the training that ``fit`` runs in the epoch cases (relu hidden
layers; softmax and log loss, or identity and squared error; L2 penalty;
skmlp's optimiser), written as straight-line numpy calls on buffers allocated
once, with nothing between them: no estimator, no input checks, no objects made
per batch beyond numpy's views. It is what is left of an epoch once every
layer of software is taken away: the benchmark times it in the same rounds as
skmlp and scikit-learn, so its ratio to scikit-learn shows what numpy itself
can reach, with caches and call dispatch as they really are, and skmlp's ratio
to it shows what skmlp's own code adds.
"""

import numpy as np

from skmlp._network import ParameterLayout
from skmlp._vectors import add_scaled


def output_loss_sum(output, y):
    """Turn the output layer's z into a, in place; return the loss summed over rows.

    Softmax and log loss when ``y`` is one-hot booleans, else identity and half
    the squared error.
    """
    if y.dtype != bool:
        return 0.5 * float(np.square(output - y).sum())
    output -= output.max(axis=1, keepdims=True)
    np.exp(output, out=output)
    output /= output.sum(axis=1, keepdims=True)
    eps = np.finfo(output.dtype).eps
    return -float(np.log(np.clip(output[y], eps, 1 - eps)).sum())


def lean_epoch(X, Y, order, params, optimizer, units, batch_size, alpha):
    """Train ``params`` in place for one epoch; return the mean loss of its batches.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training rows, float32 or float64; ``params`` has the same dtype.
    Y : ndarray of shape (n_samples, n_outputs)
        One-hot booleans (softmax output, log loss) or float targets (identity
        output, squared error).
    order : ndarray of shape (n_samples,)
        The rows of X in the order the epoch visits them.
    params : ndarray
        Every W (row-major, layer by layer) then every b, updated in place.
    optimizer : object
        Has ``step(params, grads)``, as skmlp's SGD and Adam do.
    units : tuple of int
        Units of every layer, input and output included.
    batch_size : int
        Rows per batch; the last batch may have fewer.
    alpha : float
        L2 penalty: J = mean loss + alpha / (2 n) ||W||^2 for a batch of n rows.

    Returns
    -------
    loss : float
        Mean over the epoch's rows of each batch's J.
    """
    dtype = X.dtype
    layout = ParameterLayout(tuple(units))
    grads = np.empty_like(params)
    coefs, intercepts = layout.unpack(params)
    coef_grads, intercept_grads = layout.unpack(grads)
    W, grad_W = params[: layout.n_coefs], grads[: layout.n_coefs]
    X_buffer = np.empty((batch_size, X.shape[1]), dtype)
    Y_buffer = np.empty((batch_size, Y.shape[1]), Y.dtype)
    layer_buffers = [np.empty((batch_size, n), dtype) for n in units[1:]]
    delta_buffers = [np.empty((batch_size, n), dtype) for n in units[1:]]
    last = len(coefs) - 1
    total = 0.0
    for first in range(0, X.shape[0], batch_size):
        rows = order[first : first + batch_size]
        n = len(rows)
        a = [np.take(X, rows, axis=0, out=X_buffer[:n], mode="clip")]
        a += [buffer[:n] for buffer in layer_buffers]
        deltas = [buffer[:n] for buffer in delta_buffers]
        y = np.take(Y, rows, axis=0, out=Y_buffer[:n], mode="clip")

        for layer in range(last + 1):
            z = np.matmul(a[layer], coefs[layer], out=a[layer + 1])
            z += intercepts[layer]
            if layer < last:
                np.maximum(z, 0, out=z)
        output = a[-1]
        loss = output_loss_sum(output, y) / n

        np.subtract(output, y, out=deltas[-1])
        deltas[-1] /= n
        for layer in range(last, -1, -1):
            np.matmul(a[layer].T, deltas[layer], out=coef_grads[layer])
            np.sum(deltas[layer], axis=0, out=intercept_grads[layer])
            if layer > 0:
                np.matmul(deltas[layer], coefs[layer].T, out=deltas[layer - 1])
                deltas[layer - 1] *= a[layer] > 0
        add_scaled(grad_W, alpha / n, W)
        loss += 0.5 * alpha * float(W @ W) / n

        optimizer.step(params, grads)
        total += loss * n
    return total / X.shape[0]
