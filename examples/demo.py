"""
==================================================
Demo: skmlp and scikit-learn side by side
==================================================

Train skmlp's and scikit-learn's MLPClassifier on the digits data set with the
same hyperparameters and the same ``random_state``, so that they start from the
same weights, and print a table of their test accuracy and training time.
This is the demo of the README: run it with ``python examples/demo.py``.
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier


def fit_and_score(estimator, X_train, X_test, y_train, y_test):
    model = make_pipeline(StandardScaler(), estimator)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    settings = {"hidden_layer_sizes": (64,), "max_iter": 100, "random_state": 0}
    print("| estimator | test accuracy | fit seconds |")
    print("|---|---|---|")
    for name, estimator in [
        ("skmlp.MLPClassifier", MLPClassifier(**settings)),
        ("sklearn MLPClassifier", SklearnMLPClassifier(**settings)),
    ]:
        accuracy, seconds = fit_and_score(estimator, X_train, X_test, y_train, y_test)
        print(f"| {name} | {accuracy:.4f} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
