"""Export fitted skmlp networks to ONNX through skl2onnx.

Importing this module registers a converter for :class:`~skmlp.MLPClassifier`
and :class:`~skmlp.MLPRegressor` with skl2onnx, so that ``skl2onnx.to_onnx``
converts them alone or inside a :class:`~sklearn.pipeline.Pipeline`.
``import skmlp`` alone never imports skl2onnx.

The graph is the forward pass written with ONNX operators::

    z_l = a_{l-1} @ W_l + b_l   (MatMul, Add)
    a_l = f(z_l)                (the hidden activation; the output one last)

in the element type of the input: a ``FloatTensorType`` input gives a float32
graph with float32 weights, a ``DoubleTensorType`` input a float64 graph.
A classifier returns the label and the probabilities, as skl2onnx's own
classifiers do (``options={"zipmap": False}`` for a plain probability
tensor); a regressor returns the values, of shape (n_samples, n_outputs).
onnxruntime's ZipMap takes float32 only, so a float64 graph casts the
probabilities to float32 for it; ``zipmap=False`` or ``"columns"`` keep them
in float64. A classifier fitted on a single class predicts that class, and its
two probability columns (as ``predict_proba`` gives them) have one label
between them: it is exported with ``zipmap=False`` only, and any other
choice raises a ``ValueError`` that names the option.
Unlike skl2onnx's converter for scikit-learn's MLP, every skmlp activation
is supported, ``loss='poisson'`` keeps its exponential output, and several
outputs keep their shape.
"""

import numpy as np
from numpy.polynomial.chebyshev import chebinterpolate
from scipy.special import erf

try:
    import skl2onnx
    from onnx import TensorProto
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skmlp.onnx needs skl2onnx and onnx, skmlp's onnx extra. From a clone "
        'of the repository: pip install ".[onnx]"; from its URL: '
        'pip install "skmlp[onnx] @ git+<the repository\'s URL>".'
    ) from error

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ._classifier import MLPClassifier
from ._regressor import MLPRegressor

__all__ = ["to_onnx"]

# onnxruntime has no float64 Erf kernel, so a float64 graph evaluates erf(u) on
# [0, 6] by this degree-40 Chebyshev interpolant in t = u / 3 - 1, within 2e-14
# of scipy's erf; beyond 6, 1 - erf(u) < 2e-17 is below float64's resolution.
_ERF_RANGE = 6.0
_ERF_CHEBYSHEV = chebinterpolate(lambda t: erf(_ERF_RANGE / 2 * (t + 1)), 40)
_PROTO_DTYPES = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


def to_onnx(est, X_sample=None, **kwargs):
    """Return the ONNX model of a fitted skmlp estimator or pipeline.

    A shortcut for :func:`skl2onnx.to_onnx` that needs nothing else imported.

    Parameters
    ----------
    est : estimator
        A fitted :class:`~skmlp.MLPClassifier`, :class:`~skmlp.MLPRegressor`,
        or a pipeline holding one.

    X_sample : ndarray of shape (n_samples, n_features), default=None
        A few input rows; their dtype sets the graph's element type (float32
        or float64). None needs ``initial_types`` in ``kwargs``.

    **kwargs : dict
        Passed on to :func:`skl2onnx.to_onnx`, e.g. ``target_opset`` or
        ``options={id(clf): {"zipmap": False}}``.

    Returns
    -------
    onnx.ModelProto
        The model, ready for ``onnxruntime.InferenceSession``.

    See Also
    --------
    skl2onnx.to_onnx : The conversion this function calls.

    Examples
    --------
    >>> import numpy as np
    >>> from skmlp import MLPRegressor
    >>> from skmlp.onnx import to_onnx
    >>> X = np.random.default_rng(0).normal(size=(20, 3))
    >>> reg = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0)
    >>> reg = reg.fit(X, X @ [1.0, 2.0, 3.0])
    >>> onx = to_onnx(reg, X[:1].astype(np.float32))
    >>> [output.name for output in onx.graph.output]
    ['variable']
    """
    return skl2onnx.to_onnx(est, X_sample, **kwargs)


class _Graph:
    """Adds nodes and constants of one element type to skl2onnx's container."""

    def __init__(self, scope, container, dtype):
        self.scope, self.container, self.dtype = scope, container, dtype

    def constant(self, value, proto_type=None):
        """Return the name of a new initializer holding ``value``."""
        value = np.asarray(value)
        if proto_type is None:
            proto_type = _PROTO_DTYPES[self.dtype]
            value = value.astype(self.dtype)
        name = self.scope.get_unique_variable_name("constant")
        self.container.add_initializer(name, proto_type, value.shape, value.ravel())
        return name

    def erf(self, x):
        """Return the name of erf(x); onnxruntime's Erf kernel is float32 only."""
        if self.dtype == np.float32:
            return self.node("Erf", x)
        return _chebyshev_erf(self, x)

    def node(self, op_type, *inputs, output=None, **attrs):
        """Return the output name of a new ``op_type`` node on ``inputs``."""
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, list(inputs), output, name=name, **attrs)
        return output


def _chebyshev_erf(graph, x):
    """Return the name of erf(x), by Clenshaw's recurrence on _ERF_CHEBYSHEV."""
    u = graph.node("Min", graph.node("Abs", x), graph.constant(_ERF_RANGE))
    t = graph.node(
        "Sub", graph.node("Div", u, graph.constant(_ERF_RANGE / 2)), graph.constant(1.0)
    )
    two_t = graph.node("Add", t, t)
    b1, b2 = graph.constant(0.0), graph.constant(0.0)
    for coefficient in _ERF_CHEBYSHEV[:0:-1]:
        # b_k = 2 t b_{k+1} - b_{k+2} + c_k
        b_k = graph.node("Sub", graph.node("Mul", two_t, b1), b2)
        b1, b2 = graph.node("Add", b_k, graph.constant(coefficient)), b1
    # erf(|x|) = t b_1 - b_2 + c_0, and erf is odd
    erf_u = graph.node("Sub", graph.node("Mul", t, b1), b2)
    erf_u = graph.node("Add", erf_u, graph.constant(_ERF_CHEBYSHEV[0]))
    return graph.node("Mul", graph.node("Sign", x), erf_u)


def _forward(graph, X, est):
    """Return the name of the output layer's activations a_L for input X."""
    activation = X
    for layer, (W, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        z = graph.node(
            "Add",
            graph.node("MatMul", activation, graph.constant(W)),
            graph.constant(b.reshape(1, -1)),
        )  # b as a (1, fan_out) row
        last = layer == len(est.coefs_) - 1
        name = est.out_activation_ if last else est.activation
        record = (OUTPUT_ACTIVATIONS if last else HIDDEN_ACTIVATIONS)[name]
        if record.onnx is None:
            raise ValueError(
                f"The activation {name!r} has no ONNX formula (its record's onnx "
                "field is None), so this model cannot be exported."
            )
        activation = record.onnx(graph, z)
    return activation


def _graph_for(scope, operator, container):
    """Return a _Graph in the element type of the operator's input."""
    is_double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return _Graph(scope, container, np.float64 if is_double else np.float32)


def _onnx_labels(classes):
    """Return (classes as int64 or UTF-8 bytes, their tensor proto type)."""
    if classes.dtype.kind in "biu":
        return classes.astype(np.int64), TensorProto.INT64
    if classes.dtype.kind == "f":
        if not np.array_equal(classes, np.round(classes)):
            raise ValueError("ONNX export needs integer or string class labels.")
        return classes.astype(np.int64), TensorProto.INT64
    return np.array([str(c).encode("utf-8") for c in classes]), TensorProto.STRING


def _is_multilabel(est):
    return est.n_outputs_ > 1 and est.out_activation_ == "logistic"


def _n_probability_columns(est):
    """Return the width of predict_proba: [1 - p, p] for one output unit."""
    return 2 if est.n_outputs_ == 1 else est.n_outputs_


def _zipmap_needs_float(operator):
    """Return whether ZipMap reads the probabilities of a float64 graph.

    onnxruntime's ZipMap takes float32 probabilities only, so a float64 graph
    casts them for it; ``zipmap=False`` and ``"columns"`` keep float64.
    """
    options = operator.scope_inst.get_options(operator.raw_operator, {"zipmap": True})
    is_double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return is_double and options["zipmap"] is True


def _check_zipmap_for_one_class(operator):
    """Refuse a ZipMap for a model fitted on one class: one label, two columns."""
    est = operator.raw_operator
    options = operator.scope_inst.get_options(est, {"zipmap": True})
    if len(est.classes_) == 1 and options["zipmap"] is not False:
        (only,) = est.classes_.tolist()
        raise ValueError(
            f"This classifier was fitted on one class ({only!r}), but "
            "predict_proba gives two columns, [1 - p, p], so the option zipmap "
            "cannot label them. Export it with options={id(model): "
            '{"zipmap": False}}.'
        )


def _label_index(graph, est, A):
    """Return the name of the column index of each sample's predicted class."""
    if est.n_outputs_ > 1:
        return graph.node("ArgMax", A, axis=1, keepdims=0)
    # one unit p for classes_[1]: the class is classes_[1] where p > 0.5
    p = graph.node("Reshape", A, graph.constant([-1], TensorProto.INT64))
    positive = graph.node("Greater", p, graph.constant(0.5))
    return graph.node("Cast", positive, to=TensorProto.INT64)


def _add_labels(graph, est, A, label):
    """Add the output ``label``: what predict gives for the activations A."""
    if _is_multilabel(est):
        # a label is on where its own probability exceeds 0.5
        chosen = graph.node("Greater", A, graph.constant(0.5))
        graph.node("Cast", chosen, output=label, to=TensorProto.INT64)
        return
    classes, proto_type = _onnx_labels(est.classes_)
    # A model fitted on one class predicts it whatever p is (as predict does).
    classes = np.resize(classes, max(len(classes), 2))
    index = _label_index(graph, est, A)
    graph.node("Gather", graph.constant(classes, proto_type), index, output=label)


def _add_probabilities(graph, est, A, probabilities, as_float):
    """Add the output ``probabilities``: what predict_proba gives, maybe as float32."""
    if est.n_outputs_ == 1:
        # binary: one unit p for classes_[1], shown as the columns [1 - p, p]
        A = graph.node("Concat", graph.node("Sub", graph.constant(1.0), A), A, axis=1)
    if as_float:
        graph.node("Cast", A, output=probabilities, to=TensorProto.FLOAT)
    else:
        graph.node("Identity", A, output=probabilities)


def _convert_classifier(scope, operator, container):
    """Add the label and probability outputs of an MLPClassifier to the graph."""
    est, graph = operator.raw_operator, _graph_for(scope, operator, container)
    label, probabilities = operator.outputs[0].full_name, operator.outputs[1].full_name
    A = _forward(graph, operator.inputs[0].full_name, est)
    _add_labels(graph, est, A, label)
    as_float = _zipmap_needs_float(operator)
    _add_probabilities(graph, est, A, probabilities, as_float)


def _convert_regressor(scope, operator, container):
    """Add the output ``variable`` of an MLPRegressor, (n_samples, n_outputs)."""
    est, graph = operator.raw_operator, _graph_for(scope, operator, container)
    A = _forward(graph, operator.inputs[0].full_name, est)
    graph.node("Identity", A, output=operator.outputs[0].full_name)


def _check_io(operator, n_outputs):
    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=n_outputs
    )
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType]
    )


def _classifier_shapes(operator):
    """Set the types of the label and probability outputs of an MLPClassifier."""
    _check_io(operator, 2)
    est, n_rows = operator.raw_operator, operator.inputs[0].get_first_dimension()
    label_type = (
        StringTensorType if est.classes_.dtype.kind in "OUS" else Int64TensorType
    )
    label_shape = [n_rows, len(est.classes_)] if _is_multilabel(est) else [n_rows]
    operator.outputs[0].type = label_type(shape=label_shape)
    _check_zipmap_for_one_class(operator)
    probability_type = operator.inputs[0].type.__class__
    if _zipmap_needs_float(operator):
        probability_type = FloatTensorType
    width = _n_probability_columns(est)
    operator.outputs[1].type = probability_type(shape=[n_rows, width])


def _regressor_shapes(operator):
    """Set the type of the output of an MLPRegressor, (n_samples, n_outputs)."""
    _check_io(operator, 1)
    n_rows = operator.inputs[0].get_first_dimension()
    output_type = operator.inputs[0].type.__class__
    operator.outputs[0].type = output_type(
        shape=[n_rows, operator.raw_operator.n_outputs_]
    )


skl2onnx.update_registered_converter(
    MLPClassifier,
    "SkmlpMLPClassifier",
    _classifier_shapes,
    _convert_classifier,
    options={"zipmap": [True, False, "columns"], "nocl": [False]},
)
skl2onnx.update_registered_converter(
    MLPRegressor, "SkmlpMLPRegressor", _regressor_shapes, _convert_regressor
)
