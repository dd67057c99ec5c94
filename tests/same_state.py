"""Deep comparison of estimator states, for tests that a call changed nothing."""

import numpy as np
from numpy.testing import assert_array_equal


def assert_same_state(before, after, path="est"):
    """Assert that two snapshots of an object's attributes are equal, deeply."""
    assert type(before) is type(after), path
    if isinstance(before, dict):
        assert before.keys() == after.keys(), f"{path}: {before.keys() ^ after.keys()}"
        for key in before:
            assert_same_state(before[key], after[key], f"{path}.{key}")
    elif isinstance(before, list | tuple):
        assert len(before) == len(after), path
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            assert_same_state(old, new, f"{path}[{index}]")
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype, path
        assert_array_equal(after, before, err_msg=path, strict=True)
    elif isinstance(before, np.random.RandomState):
        assert_same_state(before.get_state(), after.get_state(), path)
    elif hasattr(before, "__dict__") and not isinstance(before, type):
        assert_same_state(vars(before), vars(after), path)
    elif isinstance(before, float | np.floating) and np.isnan(before):
        assert np.isnan(after), path
    else:
        assert before == after, path
