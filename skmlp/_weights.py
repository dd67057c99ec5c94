"""Sample weights: the class weights they carry, and the check they must pass."""

from sklearn.utils.class_weight import compute_sample_weight

from ._arrays import array_ops


def check_weight_sum(sample_weight, name):
    """Raise a ValueError naming ``name`` unless the weights have a positive sum."""
    if sample_weight is None:
        return
    weight_sum = float(array_ops(sample_weight).sum(sample_weight))
    if not weight_sum > 0:
        raise ValueError(
            f"{name} sums to {weight_sum}: training needs samples of "
            "positive total weight."
        )


def weighted_by_class(class_weights, y, sample_weight, X):
    """Return sample_weight multiplied by the weight of each sample's class.

    ``y`` holds the labels on the host; the weights come out in the dtype,
    library and device of X.
    """
    if class_weights is None:
        return sample_weight
    xp = array_ops(X)
    weights = compute_sample_weight(class_weights, y)
    weights = xp.move(weights.astype(xp.numpy_dtype(X.dtype)), like=X)
    return weights if sample_weight is None else weights * sample_weight
