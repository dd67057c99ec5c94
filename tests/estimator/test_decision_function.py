"""Tests of decision_function: the logits behind predict and predict_proba."""

import numpy as np
import pytest
from fit_helpers import CONVERGENCE, classification
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, softmax
from sklearn.datasets import make_multilabel_classification

from skmlp import MLPClassifier


def _labelled(n_classes):
    X, y = classification(n_classes, seed=6)
    labels = np.array(["ant", "bee", "cat"])[:n_classes]
    return X, labels[y]


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_binary_decision_function_is_the_logit(solver):
    """Check that a binary decision_function is 1-D, its sign the class, expit it."""
    X, y = _labelled(2)
    clf = MLPClassifier(
        hidden_layer_sizes=(6,),
        solver=solver,
        learning_rate_init=0.01,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(X),)
    assert (scores > 0).any() and (scores < 0).any()
    assert_array_equal(clf.predict(X), clf.classes_[(scores > 0).astype(int)])
    assert_allclose(clf.predict_proba(X)[:, 1], expit(scores), rtol=1e-12)
    # The logit by hand from the fitted weights.
    hidden = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)
    assert_allclose(scores, (hidden @ clf.coefs_[1] + clf.intercepts_[1]).ravel())


@pytest.mark.filterwarnings(CONVERGENCE)
def test_multiclass_decision_function_gives_predict_and_predict_proba():
    """Check that argmax and softmax of decision_function give predict and proba."""
    X, y = _labelled(3)
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    clf.fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(X), 3)
    assert_array_equal(clf.predict(X), clf.classes_[scores.argmax(axis=1)])
    assert_allclose(clf.predict_proba(X), softmax(scores, axis=1), rtol=1e-12)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_multilabel_decision_function_gives_predict_and_predict_proba():
    """Check that a multilabel decision_function thresholds at 0 and expit is proba."""
    X, Y = make_multilabel_classification(n_samples=100, n_classes=3, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    clf.fit(X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == Y.shape
    assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    assert_allclose(clf.predict_proba(X), expit(scores), rtol=1e-12)
