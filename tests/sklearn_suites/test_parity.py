"""Parity with scikit-learn's MLP: same weights, losses and scores.

For the same hyperparameters and ``random_state`` scikit-learn draws the same
starting weights, shuffles in the same order and takes the same steps, so
after a few epochs the fitted parameters must agree to rounding error. The one
intended difference is the loss reported for multi-output squared error
(scikit-learn's issue #8349), tested explicitly below.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp

# Fits beside scikit-learn's: part of the whole suite, not of the quick loop.
pytestmark = pytest.mark.slow

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"

# Each entry is one update rule; max_iter is small so the comparison is about
# the steps taken, not about where training converges.
SOLVERS = {
    "sgd-nesterov": {"solver": "sgd", "learning_rate_init": 0.05},
    "sgd-momentum": {
        "solver": "sgd",
        "learning_rate_init": 0.05,
        "nesterovs_momentum": False,
    },
    "sgd-invscaling": {
        "solver": "sgd",
        "learning_rate": "invscaling",
        "learning_rate_init": 0.2,
        "power_t": 0.25,
    },
    # tol=10 makes every epoch a stalled one, so with n_iter_no_change=1 the
    # learning rate is divided by 5 after epochs 2 and 4.
    "sgd-adaptive": {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "learning_rate_init": 0.05,
        "tol": 10.0,
        "n_iter_no_change": 1,
    },
    "adam": {"solver": "adam", "learning_rate_init": 0.01},
    "lbfgs": {"solver": "lbfgs"},
}
STOCHASTIC = [name for name in SOLVERS if name != "lbfgs"]

TARGETS = [
    "binary",
    "multiclass",
    "multilabel",
    "squared_error",
    "squared_error-3-outputs",
    "poisson",
    "poisson-3-outputs",
]


def _dataset(target, seed=0):
    """Return (X, y, loss) for a small problem of the given kind."""
    if target in ("binary", "multiclass"):
        n_classes = 2 if target == "binary" else 3
        X, y = make_classification(
            n_samples=120,
            n_features=5,
            n_informative=3,
            n_classes=n_classes,
            random_state=seed,
        )
        return X, y, None
    if target == "multilabel":
        X, Y = make_multilabel_classification(
            n_samples=120, n_features=5, n_classes=3, random_state=seed
        )
        return X, Y, None
    n_targets = 3 if target.endswith("3-outputs") else 1
    X, y = make_regression(
        n_samples=120, n_features=5, n_targets=n_targets, noise=0.1, random_state=seed
    )
    X = StandardScaler().fit_transform(X)
    if target.startswith("poisson"):
        rng = np.random.RandomState(seed)
        y = rng.poisson(np.exp(0.3 * X[:, :n_targets])).astype(float)
        y = y.ravel() if n_targets == 1 else y
        return X, y, "poisson"
    return X, y / y.std(), "squared_error"


def _pair(target, **params):
    """Return (ours, scikit-learn's) estimators built with the same parameters."""
    _, _, loss = _dataset(target)
    if loss is None:
        return skmlp.MLPClassifier(**params), sk.MLPClassifier(**params)
    return skmlp.MLPRegressor(loss=loss, **params), sk.MLPRegressor(loss=loss, **params)


def assert_same_weights(ours, theirs, rtol=1e-6, atol=1e-8):
    """Assert that coefs_ and intercepts_ agree layer by layer."""
    assert len(ours.coefs_) == len(theirs.coefs_)
    assert len(ours.intercepts_) == len(theirs.intercepts_)
    for mine, reference in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        assert mine.shape == reference.shape
        assert_allclose(mine, reference, rtol=rtol, atol=atol)


def _is_multi_output_squared_error(target):
    return target == "squared_error-3-outputs"


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_weights_match_sklearn(solver, target):
    """Check that a few epochs give scikit-learn's coefs_, intercepts_ and losses."""
    if solver == "lbfgs" and _is_multi_output_squared_error(target):
        pytest.skip(
            "scikit-learn's L-BFGS sees a loss averaged over outputs but the "
            "gradient of their sum (issue #8349), so its path differs on purpose"
        )
    X, y, _ = _dataset(target)
    params = {
        "hidden_layer_sizes": (6, 4),
        "batch_size": 32,
        "max_iter": 5,
        "random_state": 1,
        **SOLVERS[solver],
    }
    ours, theirs = _pair(target, **params)
    ours.fit(X, y)
    theirs.fit(X, y)

    assert_same_weights(ours, theirs)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-8)
    if hasattr(theirs, "predict_proba"):
        assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)
    if _is_multi_output_squared_error(target):
        return  # loss_ and loss_curve_ differ on purpose, tested separately
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    if solver != "lbfgs":
        assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
        assert ours.t_ == theirs.t_


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam"])
def test_multi_output_squared_error_loss_is_summed_over_outputs(solver):
    """Check that loss_curve_ is n_outputs times scikit-learn's mean over outputs."""
    # scikit-learn's squared_loss averages 0.5 * (y - a)**2 over outputs while
    # its output delta a - y is the gradient of the sum (issue #8349); we report
    # the sum. With alpha=0 there is no penalty term, so the ratio is exact.
    X, Y, _ = _dataset("squared_error-3-outputs")
    params = {
        "hidden_layer_sizes": (6,),
        "alpha": 0.0,
        "max_iter": 4,
        "random_state": 0,
        **SOLVERS[solver],
    }
    ours = skmlp.MLPRegressor(**params).fit(X, Y)
    theirs = sk.MLPRegressor(**params).fit(X, Y)

    assert_same_weights(ours, theirs)
    n_outputs = Y.shape[1]
    assert ours.n_outputs_ == n_outputs
    assert_allclose(ours.loss_curve_, n_outputs * np.asarray(theirs.loss_curve_))
    assert_allclose(ours.loss_, n_outputs * theirs.loss_)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("target", ["multiclass", "squared_error"])
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
def test_sample_weight_matches_sklearn(solver, target):
    """Check that fitting with sample_weight gives scikit-learn's weights."""
    X, y, _ = _dataset(target)
    sample_weight = np.random.RandomState(3).uniform(0.1, 3.0, size=X.shape[0])
    params = {"hidden_layer_sizes": (5,), "max_iter": 5, "random_state": 2}
    ours, theirs = _pair(target, **params, **SOLVERS[solver])
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)

    assert_same_weights(ours, theirs)
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    unweighted = _pair(target, **params, **SOLVERS[solver])[0].fit(X, y)
    assert not np.allclose(unweighted.coefs_[0], ours.coefs_[0])


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("target", ["multiclass", "squared_error"])
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam"])
def test_early_stopping_matches_sklearn(solver, target, sample_weight):
    """Check that early stopping gives scikit-learn's scores, stop and best weights."""
    X, y, _ = _dataset(target)
    weights = None
    if sample_weight:
        weights = np.random.RandomState(4).uniform(0.5, 2.0, size=X.shape[0])
    params = {
        **SOLVERS[solver],
        "hidden_layer_sizes": (8,),
        "learning_rate_init": 0.05,
        "early_stopping": True,
        "validation_fraction": 0.25,
        "n_iter_no_change": 3,
        "max_iter": 30,
        "random_state": 0,
    }
    ours, theirs = _pair(target, **params)
    ours.fit(X, y, sample_weight=weights)
    theirs.fit(X, y, sample_weight=weights)

    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-6)
    assert_allclose(ours.best_validation_score_, theirs.best_validation_score_)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert_same_weights(ours, theirs)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("target", ["multiclass", "squared_error-3-outputs"])
@pytest.mark.parametrize("solver", ["sgd-nesterov", "sgd-invscaling", "adam"])
def test_no_shuffle_matches_sklearn(solver, target):
    """Check that shuffle=False gives scikit-learn's weights."""
    X, y, _ = _dataset(target)
    params = {
        "hidden_layer_sizes": (5,),
        "batch_size": 25,
        "max_iter": 4,
        "shuffle": False,
        "random_state": 0,
        **SOLVERS[solver],
    }
    ours, theirs = _pair(target, **params)
    assert_same_weights(ours.fit(X, y), theirs.fit(X, y))


@pytest.mark.parametrize(
    "target", ["binary", "multiclass", "multilabel", "squared_error", "poisson"]
)
@pytest.mark.parametrize("solver", ["sgd-nesterov", "sgd-invscaling", "adam"])
def test_partial_fit_matches_sklearn(solver, target):
    """Check that several partial_fit calls give scikit-learn's weights and t_."""
    X, y, _ = _dataset(target)
    params = {"hidden_layer_sizes": (5,), "batch_size": 16, "random_state": 0}
    ours, theirs = _pair(target, **params, **SOLVERS[solver])
    # A classifier needs the classes on its first call; for a multilabel target
    # they are the indices of the label columns.
    if target == "multilabel":
        extra = {"classes": np.arange(y.shape[1])}
    else:
        extra = {} if y.dtype == float else {"classes": np.unique(y)}
    for chunk in np.array_split(np.arange(X.shape[0]), 4):
        ours.partial_fit(X[chunk], y[chunk], **extra)
        theirs.partial_fit(X[chunk], y[chunk], **extra)
        assert_same_weights(ours, theirs)

    assert ours.t_ == theirs.t_ == X.shape[0]
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("target", ["multiclass", "squared_error"])
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
def test_float32_matches_sklearn(solver, target):
    """Check that float32 input trains float32 weights equal to scikit-learn's."""
    X, y, _ = _dataset(target)
    X = X.astype(np.float32)
    # tanh rather than relu: with relu a pre-activation within float32 rounding
    # of the kink at 0 can switch a unit on in one precision and off in the
    # other, after which L-BFGS's line search takes visibly different steps.
    params = {
        "hidden_layer_sizes": (5,),
        "activation": "tanh",
        "max_iter": 5,
        "random_state": 0,
    }
    ours, theirs = _pair(target, **params, **SOLVERS[solver])
    ours.fit(X, y)
    theirs.fit(X, y)

    for array in ours.coefs_ + ours.intercepts_:
        assert array.dtype == np.float32
    # scikit-learn's L-BFGS returns float64 weights for float32 input and
    # computes in float64 after the first step; compare the values only.
    assert_same_weights(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
def test_warm_start_matches_sklearn(solver):
    """Check that a warm-started second fit continues like scikit-learn's."""
    X, y, _ = _dataset("multiclass")
    params = {
        "hidden_layer_sizes": (5,),
        "max_iter": 3,
        "warm_start": True,
        "random_state": 0,
        **SOLVERS[solver],
    }
    ours, theirs = _pair("multiclass", **params)
    ours.fit(X, y)
    theirs.fit(X, y)
    ours.set_params(max_iter=2).fit(X, y)
    theirs.set_params(max_iter=2).fit(X, y)

    assert_same_weights(ours, theirs)
    assert ours.t_ == theirs.t_
    assert_array_equal(ours.predict(X), theirs.predict(X))


def _classification_benchmark(load):
    X, y = load(return_X_y=True)
    return X, y, True


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y, False


BENCHMARKS = {
    "iris": lambda: _classification_benchmark(load_iris),
    "wine": lambda: _classification_benchmark(load_wine),
    "breast_cancer": lambda: _classification_benchmark(load_breast_cancer),
    "digits": lambda: _classification_benchmark(load_digits),
    "diabetes": _diabetes,
}


def _mean_test_score(mlp_class, X, y, classify, seeds):
    """Return the mean held-out score over seeds of a scaled-input pipeline."""
    scores = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, random_state=seed, stratify=y if classify else None
        )
        model = make_pipeline(
            StandardScaler(),
            mlp_class(hidden_layer_sizes=(50,), max_iter=200, random_state=seed),
        )
        if not classify:
            model = TransformedTargetRegressor(model, transformer=StandardScaler())
        scores.append(model.fit(X_train, y_train).score(X_test, y_test))
    return np.mean(scores)


@pytest.mark.slow
@pytest.mark.filterwarnings(CONVERGENCE)
@pytest.mark.parametrize("dataset", BENCHMARKS)
def test_test_score_at_least_sklearn(dataset):
    """Check that the mean test score over 3 seeds is at least scikit-learn's."""
    X, y, classify = BENCHMARKS[dataset]()
    ours_class = skmlp.MLPClassifier if classify else skmlp.MLPRegressor
    theirs_class = sk.MLPClassifier if classify else sk.MLPRegressor
    seeds = (0, 1, 2)
    ours = _mean_test_score(ours_class, X, y, classify, seeds)
    theirs = _mean_test_score(theirs_class, X, y, classify, seeds)
    assert ours >= theirs - 0.01


def _no_hidden_layer_lbfgs(alpha, loss="squared_error"):
    """Return a linear MLPRegressor trained by L-BFGS to a tight tolerance."""
    return skmlp.MLPRegressor(
        loss=loss,
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=alpha,
        tol=1e-10,
        max_iter=10_000,
        random_state=0,
    )


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("alpha", [1e-3, 1.0, 30.0])
def test_no_hidden_layer_lbfgs_is_ridge(alpha, n_targets, weighted):
    """Check that a network without hidden layers trained by L-BFGS is Ridge."""
    # With sample weights s_i summing to S,
    # J = sum_i s_i ||y_i - x_i W - b||^2 / (2 S) + alpha / (2 S) ||W||^2 is
    # Ridge's sum_i s_i ||y_i - x_i W - b||^2 + alpha ||W||^2 divided by 2S
    # (neither penalises the intercept), so both have the same minimiser. For
    # several outputs both objectives are sums of independent per-output ones.
    X, y = make_regression(
        n_samples=80, n_features=6, n_targets=n_targets, noise=5.0, random_state=0
    )
    y = y / y.std()
    sample_weight = None
    if weighted:
        sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, size=len(X))
    mlp = _no_hidden_layer_lbfgs(alpha).fit(X, y, sample_weight=sample_weight)
    ridge = Ridge(alpha=alpha).fit(X, y, sample_weight=sample_weight)

    # L-BFGS-B also stops once J decreases by less than scipy's default relative
    # ftol (about 2.2e-9) per step, which leaves the weights about 1e-6 from the
    # exact minimiser; the coefficients themselves are of order 0.1 to 1.
    assert len(mlp.coefs_) == 1
    coef = mlp.coefs_[0].ravel() if n_targets == 1 else mlp.coefs_[0].T
    assert_allclose(coef, ridge.coef_, rtol=1e-4, atol=1e-5)
    intercept = mlp.intercepts_[0][0] if n_targets == 1 else mlp.intercepts_[0]
    assert_allclose(intercept, ridge.intercept_, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [1e-3, 10.0])
def test_no_hidden_layer_poisson_lbfgs_is_poisson_regressor(alpha, weighted):
    """Check that a Poisson network without hidden layers is PoissonRegressor."""
    # Ours: J = sum_i s_i (y_i log(y_i / mu_i) - y_i + mu_i) / S
    #           + alpha / (2 S) ||w||^2, with mu = exp(X w + b).
    # PoissonRegressor: sum_i s_i d_i / (2 S) + alpha_glm / 2 ||w||^2, where
    # the deviance d_i is twice our bracket. So alpha_glm = alpha / S.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.5)).astype(float)
    sample_weight = rng.uniform(0.2, 3.0, size=len(X)) if weighted else None
    weight_sum = len(X) if sample_weight is None else sample_weight.sum()
    mlp = _no_hidden_layer_lbfgs(alpha, loss="poisson")
    mlp.fit(X, y, sample_weight=sample_weight)
    glm = PoissonRegressor(alpha=alpha / weight_sum, tol=1e-10, max_iter=10_000)
    glm.fit(X, y, sample_weight=sample_weight)

    # Same L-BFGS-B ftol limit as in the Ridge test above.
    assert_allclose(mlp.coefs_[0].ravel(), glm.coef_, rtol=1e-4, atol=1e-5)
    assert_allclose(mlp.intercepts_[0][0], glm.intercept_, rtol=1e-4, atol=1e-5)
