"""
=====================================================
A round trip through ONNX
=====================================================

``import skmlp.onnx`` teaches skl2onnx to convert skmlp's estimators (install
with ``pip install "skmlp[onnx]"``). Here a pipeline of a scaler and a
multi-output :class:`skmlp.MLPRegressor` becomes one ONNX graph, which
onnxruntime runs with neither skmlp nor scikit-learn installed. The graph
keeps the regressor's two outputs as two columns, and its predictions lie on
top of ``predict``'s.
"""

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
from sklearn.datasets import make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmlp.onnx
from skmlp import MLPRegressor

X, Y = make_regression(n_samples=300, n_features=6, n_targets=2, random_state=0)
X, Y = X.astype(np.float32), Y / Y.std(axis=0)
network = MLPRegressor(hidden_layer_sizes=(32,), max_iter=500, random_state=0)
model = make_pipeline(StandardScaler(), network).fit(X, Y)

graph = skmlp.onnx.to_onnx(model, X[:1])
session = onnxruntime.InferenceSession(
    graph.SerializeToString(), providers=["CPUExecutionProvider"]
)
(onnx_prediction,) = session.run(None, {session.get_inputs()[0].name: X})
prediction = model.predict(X)
print(f"ONNX output shape {onnx_prediction.shape}, predict's {prediction.shape}")
print(f"largest difference: {np.abs(onnx_prediction - prediction).max():.2e}")

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for output, ax in enumerate(axes):
    ax.scatter(prediction[:, output], onnx_prediction[:, output], s=8)
    ax.set_xlabel("skmlp predict")
    ax.set_ylabel("onnxruntime")
    ax.set_title(f"output {output}")
fig.suptitle("Pipeline(StandardScaler, MLPRegressor) exported to ONNX")
fig.tight_layout()
plt.show()
