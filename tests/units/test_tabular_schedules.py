"""Tests of the tabular schedules against their formulas."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp._schedules import ScheduleSettings
from skmlp._tabular_schedules import coslog, epoch_progress, flat_cos, progress_schedule


@pytest.mark.parametrize("n_cycles", [1, 2, 4])
def test_coslog_peaks_and_zeros(n_cycles):
    """Check coslog is 1 where log2(1 + (2^n - 1) t) is c + 1/2 and 0 where it is c."""
    # With s = log2(1 + (2^n - 1) t), the shape is (1 - cos(2 pi s)) / 2: 0 at
    # whole s, 1 at half-whole s; s runs from 0 at t = 0 to n at t = 1.
    whole = np.arange(n_cycles + 1)
    halves = whole[:-1] + 0.5
    scale = 2**n_cycles - 1
    assert_allclose(coslog((2.0**whole - 1) / scale, n_cycles), 0.0, atol=1e-12)
    assert_allclose(coslog((2.0**halves - 1) / scale, n_cycles), 1.0)


def test_coslog4_at_a_point_by_hand():
    """Check coslog4(0.1) against the formula worked out by hand."""
    # 1 + 15 * 0.1 = 2.5, log2(2.5) = 1.3219..., cos(2 pi * 1.3219...)
    expected = 0.5 * (1 - math.cos(2 * math.pi * math.log(2.5, 2)))
    assert_allclose(coslog(0.1), expected)
    assert 0 <= coslog(0.1) <= 1


def test_flat_cos_is_flat_then_a_half_cosine():
    """Check flat_cos: 1 up to t = 1/2, then (1 + cos(pi (2t - 1))) / 2 to 0."""
    assert_allclose(flat_cos([0.0, 0.25, 0.4999]), 1.0)
    assert_allclose(flat_cos([0.5, 0.75, 1.0]), [1.0, 0.5, 0.0], atol=1e-12)
    t = np.linspace(0.5, 1.0, 11)
    assert np.all(np.diff(flat_cos(t)) < 0)


def test_progress_schedule_takes_the_middle_of_each_epoch():
    """Check the rate of epoch e is base * shape((e + 1/2) / max_epochs)."""
    n_samples, max_epochs, base = 40, 8, 0.04
    record = progress_schedule("coslog4")
    state = record.start(ScheduleSettings(base, 0.5, max_epochs))
    rates = [state["rate"]]
    for epoch in range(1, max_epochs):
        rates.append(record.after_epoch(state, epoch * n_samples))
    expected = [base * coslog((e + 0.5) / max_epochs) for e in range(max_epochs)]
    assert_allclose(rates, expected)
    assert epoch_progress(3, max_epochs) == 3.5 / 8
    assert record.after_stall is None
