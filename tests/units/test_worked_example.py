"""One SGD step of a tiny network, worked out by hand.

Network: 2 inputs -> 2 logistic hidden units -> 1 identity output, loss
squared_error (J = mean over samples of 1/2 (a_2 - y)^2), alpha = 0, plain SGD
with learning rate 1/2 and no momentum, one batch of both samples.

The weights are chosen so that every hidden pre-activation is 0 or +-ln 3,
where the logistic function takes the exact values 1/2 and 3/4, 1/4
(1 / (1 + e^{-ln 3}) = 1 / (1 + 1/3) = 3/4), so every number below is a short
fraction.

Data and weights (ln3 = ln 3)::

    X = [[1, 0],        y = [0, 1]
         [1, 1]]
    W1 = [[-ln3,  ln3],   b1 = [ln3, 0]
          [ ln3, -2ln3]]
    W2 = [[ 2],          b2 = [1]
          [-4]]

Forward, z1 = X @ W1 + b1::

    sample 1: z1 = [-ln3 + ln3,  ln3 + 0]          = [0, ln3]
              a1 = [1/2, 3/4]
    sample 2: z1 = [-ln3 + ln3 + ln3, ln3 - 2ln3]  = [ln3, -ln3]
              a1 = [3/4, 1/4]
    a2 = a1 @ W2 + b2:
    sample 1: 2 * 1/2 - 4 * 3/4 + 1 = 1 - 3 + 1    = -1
    sample 2: 2 * 3/4 - 4 * 1/4 + 1 = 1.5 - 1 + 1  = 1.5

Loss::

    J = (1/2 (-1 - 0)^2 + 1/2 (1.5 - 1)^2) / 2 = (0.5 + 0.125) / 2 = 0.3125

Output delta (identity + squared error: delta2 = a2 - y)::

    delta2 = [-1, 0.5]

Hidden delta, delta1 = (delta2 @ W2.T) * a1 (1 - a1)::

    sample 1: [-1 * 2, -1 * -4] * [1/2 * 1/2, 3/4 * 1/4]
              = [-2, 4] * [1/4, 3/16]                    = [-0.5, 0.75]
    sample 2: [0.5 * 2, 0.5 * -4] * [3/4 * 1/4, 1/4 * 3/4]
              = [1, -2] * [3/16, 3/16]                   = [0.1875, -0.375]

Gradients, averaged over the n = 2 samples::

    dJ/dW2 = a1.T @ delta2 / 2
           = [1/2 * -1 + 3/4 * 0.5,  3/4 * -1 + 1/4 * 0.5] / 2
           = [-0.125, -0.625] / 2                        = [[-0.0625], [-0.3125]]
    dJ/db2 = (-1 + 0.5) / 2                              = [-0.25]
    dJ/dW1 = X.T @ delta1 / 2, X.T = [[1, 1], [0, 1]]:
        row 1 = delta1[sample 1] + delta1[sample 2] = [-0.3125, 0.375]
        row 2 = delta1[sample 2]                    = [0.1875, -0.375]
           = [[-0.15625, 0.1875], [0.09375, -0.1875]]
    dJ/db1 = (delta1[sample 1] + delta1[sample 2]) / 2 = [-0.15625, 0.1875]

SGD step, p <- p - 1/2 dJ/dp::

    W1 = [[-ln3 + 0.078125,  ln3 - 0.09375],
          [ ln3 - 0.046875, -2ln3 + 0.09375]]
    b1 = [ln3 + 0.078125, -0.09375]
    W2 = [[2 + 0.03125], [-4 + 0.15625]] = [[2.03125], [-3.84375]]
    b2 = [1 + 0.125]                     = [1.125]
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from skmlp import MLPRegressor
from skmlp._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp._losses import LOSSES
from skmlp._network import ParameterLayout
from skmlp._objective import Batch, Objective, ObjectiveSpec

LN3 = np.log(3.0)
X = np.array([[1.0, 0.0], [1.0, 1.0]])
y = np.array([0.0, 1.0])
W1 = np.array([[-LN3, LN3], [LN3, -2 * LN3]])
b1 = np.array([LN3, 0.0])
W2 = np.array([[2.0], [-4.0]])
b2 = np.array([1.0])

EXPECTED_OUTPUT = np.array([-1.0, 1.5])
EXPECTED_LOSS = 0.3125
EXPECTED_COEF_GRADS = [
    np.array([[-0.15625, 0.1875], [0.09375, -0.1875]]),
    np.array([[-0.0625], [-0.3125]]),
]
EXPECTED_INTERCEPT_GRADS = [np.array([-0.15625, 0.1875]), np.array([-0.25])]
EXPECTED_COEFS = [
    np.array([[-LN3 + 0.078125, LN3 - 0.09375], [LN3 - 0.046875, -2 * LN3 + 0.09375]]),
    np.array([[2.03125], [-3.84375]]),
]
EXPECTED_INTERCEPTS = [np.array([LN3 + 0.078125, -0.09375]), np.array([1.125])]


def _regressor_with_worked_weights(estimator_class=MLPRegressor):
    """Return a one-step SGD regressor holding the worked example's weights."""
    regressor = estimator_class(
        hidden_layer_sizes=(2,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.5,
        momentum=0.0,
        alpha=0.0,
        batch_size=2,
        shuffle=False,
        random_state=0,
    )
    regressor.partial_fit(X, y)  # creates the network; its weights are replaced
    regressor.coefs_ = [W1.copy(), W2.copy()]
    regressor.intercepts_ = [b1.copy(), b2.copy()]
    return regressor


def test_worked_example_forward():
    """Check that predict gives the hand-computed outputs [-1, 1.5]."""
    regressor = _regressor_with_worked_weights()
    assert_allclose(regressor.predict(X), EXPECTED_OUTPUT, rtol=1e-12)


def test_worked_example_loss_and_gradients():
    """Check J and every dJ/dW, dJ/db of the objective against the hand values."""
    layout = ParameterLayout((2, 2, 1))
    network = ObjectiveSpec(
        layout,
        HIDDEN_ACTIVATIONS["logistic"],
        LOSSES["squared_error"],
        alpha=0.0,
        output=OUTPUT_ACTIVATIONS["identity"],
    )
    params = layout.pack([W1, W2], [b1, b2], np.float64)
    grads = np.full_like(params, np.nan)
    value = Objective(network, 2, np.empty(0)).loss_and_gradients(
        params, Batch(X, y[:, np.newaxis]), grads
    )
    coef_grads, intercept_grads = layout.unpack(grads)
    assert_allclose(value, EXPECTED_LOSS, rtol=1e-12)
    for layer in range(2):
        assert_allclose(coef_grads[layer], EXPECTED_COEF_GRADS[layer], rtol=1e-12)
        assert_allclose(
            intercept_grads[layer], EXPECTED_INTERCEPT_GRADS[layer], rtol=1e-12
        )


@pytest.mark.parametrize(
    "estimator_class", [MLPRegressor, SklearnMLPRegressor], ids=["skmlp", "sklearn"]
)
def test_worked_example_sgd_step(estimator_class):
    """Check that one partial_fit gives the hand-computed weights and loss."""
    regressor = _regressor_with_worked_weights(estimator_class)
    regressor.partial_fit(X, y)
    assert_allclose(regressor.loss_, EXPECTED_LOSS, rtol=1e-12)
    for layer in range(2):
        assert_allclose(regressor.coefs_[layer], EXPECTED_COEFS[layer], rtol=1e-12)
        assert_allclose(
            regressor.intercepts_[layer], EXPECTED_INTERCEPTS[layer], rtol=1e-12
        )
