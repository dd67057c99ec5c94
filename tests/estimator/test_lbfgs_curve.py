"""Tests of L-BFGS progress: loss_curve_, verbose output, warm start, interrupt."""

import re

import numpy as np
import pytest
from fit_helpers import CONVERGENCE, classification, regression
from numpy.testing import assert_allclose

from skmlp import MLPClassifier, MLPRegressor
from skmlp._objective import Objective


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("max_iter", [5, 200])
@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_lbfgs_records_and_prints_one_loss_per_iteration(
    estimator_class, max_iter, capsys
):
    """Check that L-BFGS fills loss_curve_ per iteration and verbose prints them."""
    X, y = classification(3) if estimator_class is MLPClassifier else regression()
    est = estimator_class(
        hidden_layer_sizes=(6,),
        solver="lbfgs",
        max_iter=max_iter,
        verbose=True,
        random_state=0,
    ).fit(X, y)
    curve = est.loss_curve_
    assert len(curve) == est.n_iter_ > 1
    assert curve[-1] <= curve[0]
    # L-BFGS-B's line search only accepts points that decrease the objective.
    assert np.all(np.diff(curve) <= 1e-12)
    assert_allclose(curve[-1], est.loss_, rtol=1e-12)

    pattern = re.compile(r"Iteration (\d+), loss = ([-+0-9.eE]+)")
    printed = pattern.findall(capsys.readouterr().out)
    assert [int(n) for n, _ in printed] == list(range(1, est.n_iter_ + 1))
    assert_allclose([float(value) for _, value in printed], curve, atol=1e-8)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("first_solver", ["lbfgs", "adam"])
def test_lbfgs_warm_start_extends_the_loss_curve(first_solver):
    """Check that a warm-started L-BFGS fit appends to loss_curve_, as sgd does."""
    X, y = regression()
    est = MLPRegressor(
        hidden_layer_sizes=(6,), solver=first_solver, max_iter=4, random_state=0
    ).fit(X, y)
    before = list(est.loss_curve_)
    est.set_params(solver="lbfgs", warm_start=True, max_iter=3).fit(X, y)
    assert est.loss_curve_[: len(before)] == before
    assert len(est.loss_curve_) == len(before) + est.n_iter_
    assert_allclose(est.loss_curve_[-1], est.loss_, rtol=1e-12)


def test_interrupted_lbfgs_keeps_one_loss_per_iteration(monkeypatch):
    """Check that Ctrl-C during L-BFGS keeps a loss_curve_ of n_iter_ entries."""
    X, y = regression()
    evaluate = Objective.loss_and_gradients
    calls = []

    def interrupt_on_twentieth_call(self, *args, **kwargs):
        calls.append(None)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(Objective, "loss_and_gradients", interrupt_on_twentieth_call)
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        reg.fit(X, y)
    # 19 evaluations take L-BFGS through at least a few iterations.
    assert reg.n_iter_ >= 3
    assert len(reg.loss_curve_) == reg.n_iter_
    # The weights kept are the best evaluated, no worse than the last iterate.
    assert reg.loss_ <= reg.loss_curve_[-1]
