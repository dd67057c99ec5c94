"""scikit-learn's estimator checks, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import MLPClassifier, MLPRegressor

# The 140 checks take about 15 s together, most of the quick run's budget.
pytestmark = pytest.mark.slow


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's check ``check``."""
    check(estimator)
