"""Multi-layer perceptrons for scikit-learn, with hand-written backpropagation."""

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor
from .preprocessing import TabularPreprocessor

__all__ = ["MLPClassifier", "MLPRegressor", "TabularPreprocessor", "__version__"]
__version__ = "0.1.0"
