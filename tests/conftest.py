"""Shared test setup."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def single_threaded_blas():
    """Run BLAS on one thread for the whole test session.

    The tests use small matrices, for which threads cost more than they save;
    one thread also keeps the run fast when other work shares the machine.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
