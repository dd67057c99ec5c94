"""Tests of TabularMLPClassifier and TabularMLPRegressor."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import TabularMLPClassifier, TabularMLPRegressor

SMALL = {"hidden_layer_sizes": (32,), "max_iter": 30, "n_frequencies": 4}
# Mini-batches drawn at random and a random validation split: a row of weight
# 2 and the same row twice land in different batches and splits.
WEIGHTS_ARE_NOT_REPEATS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic mini-batches and a random validation split"
    )
}


@parametrize_with_checks(
    [TabularMLPClassifier(**SMALL), TabularMLPRegressor(**SMALL)],
    expected_failed_checks=lambda estimator: WEIGHTS_ARE_NOT_REPEATS,
)
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's check ``check``."""
    check(estimator)
