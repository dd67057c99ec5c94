"""What a fitted network does with new rows: its outputs, and its hidden features.

``PredictingMixin`` gives the estimators the forward pass on checked input
(``_forward_output``), ``transform`` and its feature names. Input is checked
the way scikit-learn checks it and made float (on other libraries than numpy,
of the weights' dtype), so that integer, boolean or half-precision X predicts
like float X; a one-row numpy
prediction skips the general checks when X is already a ready float array.
"""

import numpy as np
from scipy.sparse import issparse
from sklearn import get_config
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._arrays import array_ops, checked_input, describe, float_dtypes_for
from ._network import predict_output

_NO_HIDDEN_LAYER = (
    "transform returns the last hidden layer's activations, but this network "
    "has no hidden layer (hidden_layer_sizes=())."
)


class PredictingMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """The forward pass of a fitted network on new rows, and ``transform``."""

    def _forward_output(self, X, method, output=None, n_layers=None):
        """Return the activations of layer ``n_layers`` (default: a_L) for X.

        ``output`` replaces that layer's activation (identity gives z).
        """
        X = self._validated_input(X, method)
        hidden = HIDDEN_ACTIVATIONS[self.activation]
        output = output or OUTPUT_ACTIVATIONS[self.out_activation_]
        coefs, intercepts = self.coefs_[:n_layers], self.intercepts_[:n_layers]
        return predict_output(X, coefs, intercepts, hidden, output)

    def _validated_input(self, X, method):
        """Return X checked for ``method``, in the library and dtype of the weights."""
        check_is_fitted(self)
        if self._is_ready_array(X):
            return X
        X = checked_input(X, "X")
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=float_dtypes_for(X),
            reset=False,
        )
        self._check_same_library(X, method)
        if isinstance(X, np.ndarray) or issparse(X):
            return X  # numpy promotes float32 X and float64 weights as scikit-learn
        # Other libraries may not mix dtypes in a product (torch does not).
        return array_ops(X).astype(X, self.coefs_[0].dtype)

    def _check_same_library(self, X, method):
        """Raise a ValueError naming both unless X is where the weights are."""
        weights = self.coefs_[0]
        if type(weights) is np.ndarray and (type(X) is np.ndarray or issparse(X)):
            return
        fitted, given = describe(weights), describe(X)
        if fitted != given:
            raise ValueError(
                f"Inputs passed to {type(self).__name__}.{method}() must use the "
                "same namespace and the same device as those passed to fit(): "
                f"the model was fitted on {fitted} arrays, X is {given}. Move X "
                "there, or move the model with scikit-learn's "
                "sklearn.utils._array_api.move_estimator_to(model, xp, device)."
            )

    def _is_ready_array(self, X):
        """Return whether X is a float ndarray that validate_data would pass as is.

        Checking this directly makes a one-row prediction several times faster
        than the general validation, which looks for dataframes and array APIs.
        """
        return (
            type(X) is np.ndarray
            and X.dtype in (np.float64, np.float32)
            and type(self.coefs_[0]) is np.ndarray
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and (get_config()["assume_finite"] or np.isfinite(X).all())
        )

    def transform(self, X):
        """Return the activations of the last hidden layer: the learned features.

        .. versionadded:: 0.1
           skmlp only; scikit-learn's MLP has no ``transform``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        X_new : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            The last hidden layer's activations f(z) for every sample.
        """
        check_is_fitted(self)
        if len(self.coefs_) < 2:
            raise ValueError(_NO_HIDDEN_LAYER)
        hidden = HIDDEN_ACTIVATIONS[self.activation]
        return self._forward_output(X, "transform", output=hidden, n_layers=-1)

    def get_feature_names_out(self, input_features=None):
        """Return names for the features ``transform`` gives: mlp0, mlp1, ...

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the names seen in fit; the output names do not
            depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per unit of the last hidden layer.
        """
        check_is_fitted(self)
        if len(self.coefs_) < 2:
            raise ValueError(_NO_HIDDEN_LAYER)
        return super().get_feature_names_out(input_features)

    @property
    def _n_features_out(self):
        return self.intercepts_[-2].shape[0] if len(self.intercepts_) > 1 else 0
