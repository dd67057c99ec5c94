"""Tests of the learning-rate schedules against their formulas, and of their use."""

import dataclasses
import math
import pickle

import numpy as np
import pytest
from fit_helpers import STOCHASTIC
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skmlp import MLPClassifier, MLPRegressor
from skmlp._base import SOLVERS, BaseMLP
from skmlp._docstrings import fill
from skmlp._optimizers import OPTIMIZERS, UpdateRule
from skmlp._schedules import (
    SCHEDULES,
    ScheduleRecord,
    ScheduleSettings,
    start_schedule,
)

SETTINGS = ScheduleSettings(learning_rate_init=0.1, power_t=0.25, max_iter=4)


def end_epoch(state, t):
    """Move the schedule ``state`` on after an epoch, as the update rule does."""
    UpdateRule("sgd", {}, state).end_epoch(t)


def reduce_after_stall(state):
    """Lower the schedule ``state``'s rate after a stall, as the update rule does."""
    return UpdateRule("sgd", {}, state).reduce_after_stall()


def _start(name, learning_rate_init=0.1, power_t=0.25, max_iter=4, solver="sgd"):
    """Return the first state of schedule ``name`` for ``solver``."""
    settings = ScheduleSettings(learning_rate_init, power_t, max_iter)
    return start_schedule(name, solver, settings)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_starts_at_learning_rate_init(name):
    """Check that every registered schedule's first epoch uses learning_rate_init."""
    state = start_schedule(name, "sgd", SETTINGS)
    assert state["rate"] == 0.1
    assert state["name"] == name


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_is_documented(name):
    """Check that each schedule has a description, shown in the docstring."""
    assert SCHEDULES[name].description
    assert f"'{name}'" in MLPClassifier.__doc__


@pytest.mark.parametrize("name", ["constant", "adaptive"])
def test_constant_and_adaptive_keep_their_rate_after_an_epoch(name):
    """Check that end_epoch leaves the constant and adaptive rates alone."""
    state = _start(name)
    end_epoch(state, t=500)
    assert state["rate"] == 0.1


def test_invscaling_rate():
    """Check eta = eta_0 / (t + 1) ** power_t, always computed from eta_0."""
    state = _start("invscaling", power_t=0.25)
    end_epoch(state, t=80)
    # (80 + 1) ** 0.25 = 3
    assert_allclose(state["rate"], 0.1 / 3, rtol=1e-14)
    end_epoch(state, t=15)
    assert_allclose(state["rate"], 0.1 / 2, rtol=1e-14)


def test_adaptive_rate_is_divided_by_five_until_1e_6():
    """Check that a stall divides the adaptive rate by 5 and stops at 1e-6."""
    state = _start("adaptive", learning_rate_init=1e-5)
    assert reduce_after_stall(state) is True  # 1e-5 -> 2e-6
    assert reduce_after_stall(state) is True  # 2e-6 -> 4e-7
    assert reduce_after_stall(state) is False
    assert_allclose(state["rate"], 4e-7, rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "power_t", "max_iter"),
    [("constant", 0.25, 4), ("invscaling", 0.5, 4), ("cosine", 0.25, 5)],
)
def test_other_schedules_are_not_reduced(name, power_t, max_iter):
    """Check that a stall stops other schedules and keeps their rate."""
    state = _start(name, power_t=power_t, max_iter=max_iter)
    assert reduce_after_stall(state) is False
    assert state["rate"] == 0.1


def test_cosine_rates_follow_the_formula_and_hold_after_max_iter():
    """Check eta_e = eta_0 (1 + cos(pi e / max_iter)) / 2, held after max_iter."""
    state = _start("cosine", max_iter=4)
    rates = [state["rate"]]
    for _ in range(6):
        end_epoch(state, t=0)
        rates.append(state["rate"])
    # cos(0), cos(pi/4), cos(pi/2), cos(3 pi/4), then epoch 3's value held
    expected = [0.1 * (1 + math.cos(math.pi * e / 4)) / 2 for e in (0, 1, 2, 3)]
    assert_allclose(rates, [*expected, expected[-1], expected[-1], expected[-1]])


@pytest.mark.parametrize("name", ["constant", "invscaling", "adaptive"])
def test_sklearn_schedules_are_ignored_by_adam(name):
    """Check that scikit-learn's schedules give Adam a constant rate, as there."""
    state = start_schedule(name, "adam", SETTINGS)
    end_epoch(state, t=1000)
    assert state["rate"] == 0.1
    assert reduce_after_stall(state) is False


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_schedule_state_is_plain_numbers(solver):
    """Check that every schedule's state is a dict of numbers and its name."""
    for name in SCHEDULES:
        state = start_schedule(name, solver, SETTINGS)
        end_epoch(state, t=10)
        assert isinstance(state["name"], str)
        for key, value in state.items():
            assert key == "name" or isinstance(value, int | float), key
        assert pickle.loads(pickle.dumps(state)) == state


def _data():
    return make_classification(n_samples=60, n_features=5, random_state=0)


def _record_rates(monkeypatch, solver):
    """Return the list that every step's learning rate is appended to."""
    seen, record = [], OPTIMIZERS[solver]

    def recording(params, grads, state, learning_rate):
        seen.append(learning_rate)
        return record.update(params, grads, state, learning_rate)

    monkeypatch.setitem(
        OPTIMIZERS, solver, dataclasses.replace(record, update=recording)
    )
    return seen


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_cosine_fit_steps_with_the_cosine_rates(solver, monkeypatch):
    """Check that a cosine fit steps with eta_e in epoch e, for sgd and adam."""
    seen = _record_rates(monkeypatch, solver)
    X, y = _data()
    clf = MLPClassifier(
        (4,), solver=solver, learning_rate="cosine", batch_size=20, max_iter=4
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    expected = [0.001 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    assert seen == [rate for rate in expected for _ in range(3)]  # 3 batches


def test_cosine_partial_fit_counts_calls_as_epochs(monkeypatch):
    """Check that partial_fit moves the cosine rate on once per call, then holds."""
    seen = _record_rates(monkeypatch, "sgd")
    X, y = _data()
    reg = MLPRegressor(
        hidden_layer_sizes=(3,), solver="sgd", learning_rate="cosine", max_iter=2
    )
    for _ in range(4):
        reg.partial_fit(X, y)
    # eta_0 (1 + cos 0) / 2, then eta_0 (1 + cos(pi / 2)) / 2 from max_iter - 1 on
    assert_allclose(seen, [0.001, 0.0005, 0.0005, 0.0005], rtol=1e-15)


def test_cosine_and_max_grad_norm_are_tunable_by_grid_search():
    """Check that GridSearchCV tunes learning_rate='cosine' and max_grad_norm."""
    X, y = _data()
    grid = {"learning_rate": ["constant", "cosine"], "max_grad_norm": [None, 1.0]}
    base = MLPClassifier((3,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        search = GridSearchCV(base, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def _halving(state, t):
    """Return the next rate of a test schedule whose eta halves every epoch."""
    return state["rate"] / 2


def test_a_registered_schedule_is_an_option_everywhere(monkeypatch):
    """Check that one SCHEDULES entry is a constraint option, documented, and used."""
    record = ScheduleRecord(
        lambda s: {"rate": s.learning_rate_init}, "halving", after_epoch=_halving
    )
    monkeypatch.setitem(SCHEDULES, "halving", record)
    (constraint,) = BaseMLP._parameter_constraints["learning_rate"]
    assert "halving" in constraint.options
    text = fill("<solver>", options={"solver": SOLVERS, "learning_rate": SCHEDULES})
    assert "- 'halving': halving" in text

    seen = _record_rates(monkeypatch, "sgd")
    X, y = _data()
    clf = MLPClassifier((3,), solver="sgd", learning_rate="halving", batch_size=60)
    with pytest.warns(ConvergenceWarning):
        clf.set_params(max_iter=3).fit(X, y)
    assert seen == [0.001, 0.0005, 0.00025]
    # Saved and loaded, the model goes on with the halved rate.
    pickle.loads(pickle.dumps(clf)).partial_fit(X, y)
    assert seen[3:] == [0.000125]
