"""
==================================================
Demo: skmlp and scikit-learn side by side
==================================================

Train skmlp's and scikit-learn's MLPClassifier on the digits data set with the
same hyperparameters and the same ``random_state``, so that they start from the
same weights, and print a table of their test accuracy and training time.
This is the demo of the README: run it with ``python examples/demo.py``.

Both stop early, when the accuracy on a tenth of the training data set aside
stops improving, rather than after a fixed number of epochs that might be too
few (a ``ConvergenceWarning``) or too many.
"""

# sphinx_gallery_thumbnail_path = "_static/demo_thumbnail.png"

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier


def fit_and_score(estimator, X_train, X_test, y_train, y_test):
    model = make_pipeline(StandardScaler(), estimator)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    settings = {"hidden_layer_sizes": (64,), "early_stopping": True, "random_state": 0}
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
