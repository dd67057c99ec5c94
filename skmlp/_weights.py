"""Sample weights: the class weights they carry, and the check they must pass."""

from sklearn.utils.class_weight import compute_sample_weight


def check_weight_sum(sample_weight, name):
    """Raise a ValueError naming ``name`` unless the weights have a positive sum."""
    if sample_weight is not None and not sample_weight.sum() > 0:
        raise ValueError(
            f"{name} sums to {sample_weight.sum()}: training needs samples of "
            "positive total weight."
        )


def weighted_by_class(class_weights, y, sample_weight, dtype):
    """Return sample_weight multiplied by the weight of each sample's class."""
    if class_weights is None:
        return sample_weight
    weights = compute_sample_weight(class_weights, y).astype(dtype)
    return weights if sample_weight is None else weights * sample_weight
