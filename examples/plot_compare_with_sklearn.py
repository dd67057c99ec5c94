"""
=================================================
Loss curves of skmlp and scikit-learn on digits
=================================================

Train :class:`skmlp.MLPClassifier` and scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` with the same hyperparameters and
the same ``random_state`` on the digits data set. Both start from the same
weights and shuffle the samples in the same order, so their training loss
curves should lie on top of each other; the script plots both and prints the
test accuracy of each model.

Run it with ``python examples/plot_compare_with_sklearn.py --output curves.png``.
It needs matplotlib (``pip install matplotlib``).
"""

import argparse
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier

SETTINGS = {"hidden_layer_sizes": (64,), "max_iter": 30, "random_state": 0}


def load_data():
    """Return the scaled digits data, split into training and test sets."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def plot_loss_curves(models, path):
    """Save the training loss curve of each named model to ``path``."""
    # Imported here so that matplotlib stays an optional dependency.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for (name, model), style in zip(models.items(), ["-", "--"], strict=True):
        ax.plot(range(1, model.n_iter_ + 1), model.loss_curve_, style, label=name)
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax.set_title("MLPClassifier on digits, same random_state")
    ax.legend()
    fig.savefig(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Plot skmlp and sklearn loss curves.")
    parser.add_argument("--output", default="loss_curves.png", help="PNG to write")
    args = parser.parse_args(argv)

    X_train, X_test, y_train, y_test = load_data()
    models = {
        "skmlp": MLPClassifier(**SETTINGS),
        "scikit-learn": SklearnMLPClassifier(**SETTINGS),
    }
    with warnings.catch_warnings():
        # 30 epochs are enough to compare the curves, not to converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for model in models.values():
            model.fit(X_train, y_train)
    for name, model in models.items():
        print(f"{name}: test accuracy {model.score(X_test, y_test):.4f}")

    plot_loss_curves(models, args.output)
    print(f"Loss curves saved to {args.output}")


if __name__ == "__main__":
    main()
