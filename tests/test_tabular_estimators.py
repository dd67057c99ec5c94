"""Tests of TabularMLPClassifier and TabularMLPRegressor."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import TabularMLPClassifier, TabularMLPRegressor

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 12, "n_frequencies": 4}


@parametrize_with_checks(
    [TabularMLPClassifier(**SMALL), TabularMLPRegressor(**SMALL)],
)
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's check ``check``."""
    check(estimator)
