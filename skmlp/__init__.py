"""Multi-layer perceptrons for scikit-learn, with hand-written backpropagation."""

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor
from ._tabular import TabularMLPClassifier, TabularMLPRegressor
from .preprocessing import TabularPreprocessor

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "TabularPreprocessor",
    "__version__",
]
__version__ = "0.1.0"
