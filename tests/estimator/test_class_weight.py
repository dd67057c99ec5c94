"""Tests of class_weight, against compute_class_weight and plain sample weights."""

import numpy as np
import pytest
from fit_helpers import (
    CONVERGENCE,
    SOLVERS,
    any_weights_differ,
    assert_same_weights,
    classification,
)
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight

from skmlp import MLPClassifier


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_balanced_class_weight_equals_explicit_weights(solver, n_classes):
    """Check that 'balanced' equals compute_class_weight's dict and sample weights."""
    X, y = classification(n_classes, weights=[0.6, 0.3] if n_classes == 3 else [0.8])
    classes = np.unique(y)
    weights = compute_class_weight("balanced", classes=classes, y=y)
    as_dict = dict(zip(classes, weights, strict=True))
    params = {"hidden_layer_sizes": (6,), "max_iter": 8, "random_state": 0}
    params["solver"] = solver

    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    explicit = MLPClassifier(class_weight=as_dict, **params).fit(X, y)
    by_sample = MLPClassifier(**params).fit(X, y, sample_weight=weights[y])
    unweighted = MLPClassifier(**params).fit(X, y)

    assert_same_weights(balanced, explicit)
    assert_same_weights(balanced, by_sample)
    assert any_weights_differ(balanced, unweighted)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_class_weight_multiplies_sample_weight():
    """Check that class_weight with sample_weight trains on their product."""
    X, y = classification(3, seed=1)
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    params = {"hidden_layer_sizes": (6,), "max_iter": 10, "random_state": 1}
    both = MLPClassifier(class_weight=class_weight, **params)
    both.fit(X, y, sample_weight=sample_weight)
    product = np.array([class_weight[label] for label in y]) * sample_weight
    expected = MLPClassifier(**params).fit(X, y, sample_weight=product)
    assert_same_weights(both, expected)


def test_class_weight_dict_in_partial_fit_equals_sample_weight():
    """Check that a class_weight dict in partial_fit acts as the sample weights."""
    X, y = classification(2, seed=2)
    class_weight = {0: 0.4, 1: 2.5}
    params = {"hidden_layer_sizes": (5,), "random_state": 2}
    weighted = MLPClassifier(class_weight=class_weight, **params)
    by_sample = MLPClassifier(**params)
    for chunk in np.array_split(np.arange(len(y)), 3):
        weighted.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        sample_weight = np.where(y[chunk] == 1, 2.5, 0.4)
        by_sample.partial_fit(
            X[chunk], y[chunk], classes=[0, 1], sample_weight=sample_weight
        )
    assert_same_weights(weighted, by_sample)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 2.0}])
def test_class_weight_with_multilabel_target_raises(class_weight):
    """Check that class_weight is refused for a multilabel indicator target."""
    X, Y = make_multilabel_classification(n_samples=50, n_classes=3, random_state=0)
    clf = MLPClassifier(class_weight=class_weight, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, Y)
    assert not hasattr(clf, "coefs_")


def test_balanced_class_weight_in_partial_fit_raises():
    """Check that class_weight='balanced' is refused by partial_fit."""
    X, y = classification(2, n_samples=40)
    clf = MLPClassifier(class_weight="balanced", random_state=0)
    with pytest.raises(ValueError, match="balanced"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "coefs_")


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("seed", [0, 1])
def test_balanced_class_weight_raises_minority_recall(seed):
    """Check that 'balanced' recovers more of a 10% minority class than no weights."""
    X, y = classification(
        2, n_samples=1000, seed=seed, weights=[0.9], class_sep=0.5, flip_y=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=seed
    )
    params = {
        "hidden_layer_sizes": (8,),
        "learning_rate_init": 0.01,
        "max_iter": 100,
        "random_state": seed,
    }
    recalls = {}
    for class_weight in (None, "balanced"):
        clf = MLPClassifier(class_weight=class_weight, **params)
        clf.fit(X_train, y_train)
        recalls[class_weight] = recall_score(y_test, clf.predict(X_test))
    assert recalls["balanced"] > recalls[None] + 0.15
