"""Distributed search on a dask cluster and out-of-core training with partial_fit.

These are the promises of docs/scaling.rst, checked with the code shown there.
"""

import gc
import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skmlp import MLPClassifier

N_FEATURES = 8
CLASSES = np.array([0, 1, 2])


def _classification_data(n_samples, random_state=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=N_FEATURES,
        n_informative=5,
        n_classes=len(CLASSES),
        random_state=random_state,
    )
    return X, y


def _search():
    # 4 candidates x 3 folds: 12 fits, enough to keep two workers busy.
    grid = {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-2]}
    model = MLPClassifier(max_iter=20, random_state=0)
    return GridSearchCV(model, grid, cv=3, n_jobs=-1)


@pytest.fixture
def two_worker_client():
    """Yield a client of a local cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    # The nanny starts every worker with OMP_NUM_THREADS=1 and the like
    # (distributed.nanny.pre-spawn-environ), so BLAS runs single-threaded there
    # as in this process (conftest.py).
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_two_workers_scores_as_the_serial_search(two_worker_client):
    """Check that a dask-backed search uses both workers and scores as a serial one."""
    distributed = pytest.importorskip("distributed")
    joblib = pytest.importorskip("joblib")
    X, y = _classification_data(150)
    serial = _search().set_params(n_jobs=None).fit(X, y)

    with (
        distributed.get_task_stream(two_worker_client) as task_stream,
        joblib.parallel_config(backend="dask"),
    ):
        spread = _search().fit(X, y)

    workers = {task["worker"] for task in task_stream.data}
    assert workers == set(two_worker_client.scheduler_info()["workers"])
    assert len(workers) == 2
    np.testing.assert_array_equal(
        spread.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert spread.best_params_ == serial.best_params_


def _save(tmp_path, X, y):
    """Return memory maps of X and y saved as .npy files in tmp_path."""
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return (np.load(tmp_path / f"{name}.npy", mmap_mode="r") for name in "Xy")


def _block_orders(n_blocks, n_epochs, seed=0):
    """Return the order of the blocks in each epoch, shuffled with a seeded RNG."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n_blocks) for _ in range(n_epochs)]


def _train_on_blocks(model, block_of, orders):
    """Return model after partial_fit on block_of(index) in each epoch's order."""
    for order in orders:
        for index in order:
            X_block, y_block = block_of(index)
            model.partial_fit(X_block, y_block, classes=CLASSES)
    return model


def _slices(block_size):
    def rows(index):
        return slice(index * block_size, (index + 1) * block_size)

    return rows


def _stream_model():
    return MLPClassifier(hidden_layer_sizes=(16,), batch_size=50, random_state=0)


def _dask_blocks(X, y, block_size):
    """Return block_of(index) computing the index-th block of dask arrays X and y."""
    da = pytest.importorskip("dask.array")
    X_dask = da.from_array(X, chunks=(block_size, -1))
    y_dask = da.from_array(y, chunks=block_size)

    def block_of(index):
        blocks = X_dask.blocks[index], y_dask.blocks[index]
        computed = tuple(block.compute(scheduler="synchronous") for block in blocks)
        # Each compute leaves about a hundred reference cycles of dask's graph
        # behind, which wait for the cyclic garbage collector; collect them now
        # so that the peak does not depend on when it runs (as docs/scaling.rst
        # recommends).
        gc.collect()
        return computed

    return block_of


def _memmap_blocks(X, y, block_size):
    """Return block_of(index) slicing the index-th block of X and y."""
    rows = _slices(block_size)
    return lambda index: (X[rows(index)], y[rows(index)])


@pytest.mark.parametrize("blocks_from", [_memmap_blocks, _dask_blocks])
def test_out_of_core_epochs_train_as_in_memory_ones(tmp_path, blocks_from):
    """Check that epochs over blocks on disk give the weights of in-memory blocks."""
    block_size, n_blocks = 100, 6
    X, y = _classification_data(block_size * n_blocks)
    X_disk, y_disk = _save(tmp_path, X, y)
    orders = _block_orders(n_blocks, n_epochs=3)
    assert any((order != orders[0]).any() for order in orders[1:])

    streamed = _train_on_blocks(
        _stream_model(), blocks_from(X_disk, y_disk, block_size), orders
    )
    rows = _slices(block_size)
    in_memory = _train_on_blocks(
        _stream_model(), lambda index: (X[rows(index)], y[rows(index)]), orders
    )

    assert len(streamed.loss_curve_) == 3 * n_blocks
    for mine, expected in zip(
        [*streamed.coefs_, *streamed.intercepts_],
        [*in_memory.coefs_, *in_memory.intercepts_],
        strict=True,
    ):
        np.testing.assert_array_equal(mine, expected)


def _epoch_peak_bytes(model, block_of, n_blocks):
    """Return the traced peak above the starting size of an epoch over the blocks."""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        _train_on_blocks(model, block_of, _block_orders(n_blocks, n_epochs=1))
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "blocks_from",
    # A full garbage collection per block, traced, takes the dask run seconds.
    [_memmap_blocks, pytest.param(_dask_blocks, marks=pytest.mark.slow)],
)
def test_out_of_core_memory_does_not_grow_with_the_blocks(tmp_path, blocks_from):
    """Check that an epoch over 40 blocks peaks at the memory of one over 10."""
    block_size, n_blocks = 3000, 40
    X, y = _classification_data(block_size * n_blocks)
    X_disk, y_disk = _save(tmp_path, X, y)
    del X, y
    block_of = blocks_from(X_disk, y_disk, block_size)
    model = MLPClassifier(hidden_layer_sizes=(16,), batch_size=200, random_state=0)
    # A first epoch allocates the weights and the optimiser's state, and fills
    # the free lists of Python and the caches of numpy and dask, which then
    # serve the measured epochs.
    _train_on_blocks(model, block_of, _block_orders(10, n_epochs=1))

    peaks = {n: _epoch_peak_bytes(model, block_of, n) for n in (10, n_blocks)}

    block_bytes = block_size * N_FEATURES * 8
    # The measure would see blocks kept: keeping a copy of each makes the
    # longer epoch peak higher by 30 blocks.
    kept = []

    def keeping(index):
        X_block, y_block = block_of(index)
        kept.append(np.array(X_block))
        return X_block, y_block

    keeping_peaks = {n: _epoch_peak_bytes(model, keeping, n) for n in (10, n_blocks)}
    assert keeping_peaks[n_blocks] - keeping_peaks[10] > 25 * block_bytes
    # Keeping the data would add 30 blocks (5.8 MB). What does grow: 30 more
    # floats in loss_curve_ (about 1 kB) and Python's free lists, some tens of
    # kB depending on when the garbage collector last ran; less than a block.
    assert peaks[n_blocks] - peaks[10] < block_bytes, peaks
