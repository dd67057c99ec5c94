"""Time the leanest numpy version of the epoch cases' training against fit.

One epoch of the training that ``fit`` runs in the epoch cases (relu hidden
layers; softmax and log loss, or identity and squared error; L2 penalty;
skmlp's optimiser and schedule), written as straight-line numpy calls on
buffers allocated once, with nothing between them: no estimator, no input
checks, no objects made per batch beyond numpy's views. It is what is left of
an epoch once every layer of software is taken away. Started from fit's
initial weights and visiting the rows in fit's shuffled orders, it ends at the
weights fit learns (a test checks it).

Run as a script, it times the lean loop in the same rounds as skmlp and
scikit-learn (right after them), and prints beside the main table its time,
its ratio to scikit-learn (what numpy itself can reach, with caches and call
dispatch as they really are) and skmlp's ratio to it (what skmlp's own code
adds). It takes bench_epoch.py's options; ``floor.py`` prints the same columns
beside the lower bound of an epoch.
"""

import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from skmlp._network import ParameterLayout, initial_params
from skmlp._optimizers import OPTIMIZERS, UpdateRule
from skmlp._schedules import ScheduleSettings, start_schedule
from skmlp._threads import scipy_blas_on_one_thread
from skmlp._vectors import add_scaled

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/
import bench_epoch
from rounds import markdown, paired_ratio, parse_args

LEAN_COLUMNS = ("lean loop", "lean / sklearn", "skmlp / lean")
EPOCH_CASES = tuple(case for case in bench_epoch.CASES if case.kind == "epoch")


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


def lean_epoch(X, Y, order, params, update, units, batch_size, alpha):
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
    update : object
        Has ``step(params, grads)``, as skmlp's ``UpdateRule`` does.
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
    ones = np.ones(batch_size, dtype)  # column sums as one BLAS product
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
            np.matmul(ones[:n], deltas[layer], out=intercept_grads[layer])
            if layer > 0:
                np.matmul(deltas[layer], coefs[layer].T, out=deltas[layer - 1])
                deltas[layer - 1] *= a[layer] > 0
        add_scaled(grad_W, alpha / n, W)
        loss += 0.5 * alpha * float(W @ W) / n

        update.step(params, grads)
        total += loss * n
    return total / X.shape[0]


def update_rule_for(model, n_params, dtype):
    """Return the optimiser and schedule skmlp's fit of ``model`` trains with.

    ``model`` is an unfitted skmlp estimator; its parameters are the
    hyperparameters the optimiser and the schedule read.
    """
    record = OPTIMIZERS[model.solver]
    hyper = {key: getattr(model, name) for key, name in record.hyperparameters.items()}
    optimizer = record.init(np.empty(n_params, dtype), **hyper)
    rates = ScheduleSettings(model.learning_rate_init, model.power_t, model.max_iter)
    schedule = start_schedule(model.learning_rate, model.solver, rates)
    return UpdateRule(model.solver, optimizer, schedule, model.max_grad_norm)


def lean_fit(case, X, y, settings):
    """Train with ``lean_epoch`` what skmlp's fit of the case trains.

    Same initial weights, same shuffled orders, same optimiser, schedule and
    penalty, so the loop ends at fit's weights. Returns (parameters, seconds per
    epoch).
    """
    units = bench_epoch.layer_units(case)
    model = bench_epoch.estimator_for(case, "skmlp", settings, settings.epochs)
    random_state = np.random.RandomState(settings.random_state)
    params = initial_params(ParameterLayout(units), 6.0, random_state, X.dtype)
    update = update_rule_for(model, params.size, X.dtype)
    if case.estimator == "MLPClassifier":
        Y = y[:, np.newaxis] == np.unique(y)
    else:
        Y = y.astype(X.dtype)[:, np.newaxis]
    order = np.arange(X.shape[0])
    with scipy_blas_on_one_thread():  # as during fit
        start = time.perf_counter()
        for epoch in range(settings.epochs):
            # Every epoch permutes the previous order, as fit does.
            order = order[random_state.permutation(len(order))]
            lean_epoch(
                X, Y, order, params, update, units, model.batch_size, model.alpha
            )
            update.end_epoch((epoch + 1) * X.shape[0])  # t_: samples seen
        seconds = time.perf_counter() - start
    return params, seconds / settings.epochs


def lean_loop_seconds(case, X, y, settings):
    """Return [seconds per epoch of the lean loop], training what fit trains."""
    return [lean_fit(case, X, y, settings)[1]]


def lean_measures(case, X, y, products, settings):
    """Return the lean loop as a measure of an epoch case (none for the others)."""
    if case.kind != "epoch":
        return {}
    return {"lean loop": partial(lean_loop_seconds, case, X, y, settings)}


def lean_cells(result):
    """Return a result's cells under LEAN_COLUMNS, ratios paired by repeat."""
    by_repeat, lean = result.by_repeat, result.by_repeat["lean loop"]
    return [
        f"{result.medians['lean loop']:.4g} s",
        f"{paired_ratio(lean, by_repeat['sklearn']):.2f}",
        f"{paired_ratio(by_repeat['skmlp'], lean):.2f}",
    ]


def main(argv=None):
    """Run the epoch cases with the lean loop; print both tables, return the second."""
    args = parse_args(argv, EPOCH_CASES, __doc__)
    results = bench_epoch.run(args, __file__, lean_measures)
    rows = [[result.case.name, *lean_cells(result)] for result in results]
    table = markdown(("case", *LEAN_COLUMNS), rows)
    bench_epoch.report(
        results, ["The lean numpy loop, timed in the same rounds:", table]
    )
    return table


if __name__ == "__main__":
    main()
