"""Tests of TabularPreprocessor against scikit-learn's scalers and encoders."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, RobustScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import TabularPreprocessor


def _smooth_clip(U, bound=3.0):
    return U / np.sqrt(1 + (U / bound) ** 2)


def _mixed_frame(n_samples=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, n_samples),
            "age": rng.integers(18, 90, n_samples),
            # Level probabilities all different, so no two levels tie in count.
            "city": rng.choice(
                ["Oslo", "Rome", "Lima", "Pune"], n_samples, p=[0.4, 0.3, 0.2, 0.1]
            ),
            "owner": rng.random(n_samples) < 0.3,
        }
    )


@pytest.mark.slow  # scikit-learn's 46 checks, twice: about 20 s
@parametrize_with_checks([TabularPreprocessor(), TabularPreprocessor(smooth_clip=None)])
def test_sklearn_compatible_transformer(estimator, check):
    """Check that the transformer passes scikit-learn's check ``check``."""
    check(estimator)


def test_numeric_columns_match_robust_scaler_then_smooth_clip():
    """Check that numbers are RobustScaler's output squashed by u/sqrt(1+(u/3)^2)."""
    X = np.random.default_rng(1).standard_t(df=2, size=(300, 4)) * [1, 10, 100, 0.1]

    out = TabularPreprocessor().fit(X[:200]).transform(X[200:])
    plain = TabularPreprocessor(smooth_clip=None).fit(X[:200]).transform(X[200:])

    scaled = RobustScaler().fit(X[:200]).transform(X[200:])
    np.testing.assert_allclose(plain, scaled, rtol=1e-12)
    np.testing.assert_allclose(out, _smooth_clip(scaled), rtol=1e-12)
    assert np.abs(out).max() < 3


def test_center_and_scale_are_median_and_interquartile_range():
    """Check center_ and scale_ against numpy's median and percentiles by hand."""
    X = np.random.default_rng(2).exponential(size=(101, 3))

    encoder = TabularPreprocessor().fit(X)

    q25, q75 = np.percentile(X, [25, 75], axis=0)
    np.testing.assert_allclose(encoder.center_, np.median(X, axis=0))
    np.testing.assert_allclose(encoder.scale_, q75 - q25)


def test_equal_quartiles_fall_back_to_half_range_then_one():
    """Check the spread of a mostly-zero column (half range) and a constant one (1)."""
    # 10 values: eight 0s, then 2 and 6; both quartiles are 0, the range is 6.
    sparse = np.array([0, 0, 0, 0, 0, 0, 0, 0, 2, 6], dtype=float)
    X = np.column_stack([sparse, np.full(10, 7.0)])

    encoder = TabularPreprocessor(smooth_clip=None).fit(X)
    out = encoder.transform(np.array([[3.0, 7.0], [6.0, 9.0]]))

    np.testing.assert_array_equal(encoder.scale_, [3.0, 1.0])
    # (3 - 0) / 3 = 1, (6 - 0) / 3 = 2; (7 - 7) / 1 = 0, (9 - 7) / 1 = 2.
    np.testing.assert_allclose(out, [[1.0, 0.0], [2.0, 2.0]])


def test_missing_numbers_get_the_median_and_an_indicator_column():
    """Check NaN: median ignoring NaN, 0 after scaling, indicator only where seen."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    X[rng.random(50) < 0.2, 1] = np.nan
    X_new = np.array([[np.nan, np.nan, 1.0], [0.5, 2.0, np.nan]])

    encoder = TabularPreprocessor(smooth_clip=None).fit(X)
    out = encoder.transform(X_new)

    assert encoder.center_[1] == np.nanmedian(X[:, 1])
    assert list(encoder.get_feature_names_out()) == ["x0", "x1", "x2", "x1_missing"]
    np.testing.assert_array_equal(encoder.has_missing_, [False, True, False])
    np.testing.assert_array_equal(out[:, 3], [1.0, 0.0])
    # A NaN lands on the median, which scales to 0, indicator or not.
    assert out[0, 0] == 0.0 and out[0, 1] == 0.0 and out[1, 2] == 0.0
    assert np.isfinite(out).all()


def test_categories_match_one_hot_encoder_with_nan_and_unseen_levels():
    """Check the one-hot block against OneHotEncoder, NaN a level of its own."""
    train = pd.DataFrame({"colour": ["red", "blue", None, "red", "green", None]})
    test = pd.DataFrame({"colour": ["green", None, "purple", "blue"]})
    oracle = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train)

    encoder = TabularPreprocessor().fit(train)

    np.testing.assert_array_equal(encoder.transform(test), oracle.transform(test))
    names = encoder.get_feature_names_out()
    np.testing.assert_array_equal(names, oracle.get_feature_names_out())
    assert list(names) == ["colour_blue", "colour_green", "colour_red", "colour_nan"]


def test_rare_levels_share_the_other_column_like_infrequent_categories():
    """Check pooling against OneHotEncoder(max_categories, infrequent_if_exist)."""
    rng = np.random.default_rng(4)
    levels = [f"level{k:02d}" for k in range(30)]
    # Frequencies 31, 32, ..., 60: no ties, so both pick the same levels.
    train = pd.DataFrame({"code": np.repeat(levels, np.arange(31, 61))})
    test = pd.DataFrame({"code": [*rng.choice(levels, 40), "never seen"]})
    oracle = OneHotEncoder(
        max_categories=8, handle_unknown="infrequent_if_exist", sparse_output=False
    ).fit(train)

    encoder = TabularPreprocessor(max_categories=8).fit(train)

    np.testing.assert_array_equal(encoder.transform(test), oracle.transform(test))
    assert list(encoder.categories_[0]) == levels[23:]
    assert list(encoder.other_categories_[0]) == levels[:23]
    assert encoder.get_feature_names_out()[-1] == "code_other"


def test_mixed_frame_matches_a_column_transformer_of_sklearn_steps():
    """Check a whole frame against RobustScaler + smooth clip and OneHotEncoder."""
    X = _mixed_frame()
    oracle = ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(RobustScaler(), FunctionTransformer(_smooth_clip)),
                ["income", "age"],
            ),
            ("categories", OneHotEncoder(sparse_output=False), ["city", "owner"]),
        ]
    )

    encoder = TabularPreprocessor().fit(X[:150])

    expected = oracle.fit(X[:150]).transform(X[150:])
    np.testing.assert_allclose(encoder.transform(X[150:]), expected, rtol=1e-12)
    np.testing.assert_array_equal(encoder.is_categorical_, [False, False, True, True])


def test_data_frame_dtypes_decide_which_columns_are_categorical():
    """Check that object, category, string and bool columns count as categorical."""
    X = pd.DataFrame(
        {
            "int": [1, 2, 3],
            "float": [0.5, np.nan, 2.0],
            "object": pd.Series(["a", "b", "a"], dtype=object),
            "category": pd.Series([1, 2, 1]).astype("category"),
            "string": pd.Series(["u", None, "v"], dtype="string"),
            "bool": [True, False, True],
        }
    )

    encoder = TabularPreprocessor().fit(X)

    assert encoder.is_categorical_.tolist() == [False, False, True, True, True, True]
    names = encoder.get_feature_names_out().tolist()
    assert names[:3] == ["int", "float", "float_missing"]
    assert "category_1" in names and "string_nan" in names and "bool_True" in names


def test_object_array_columns_of_numbers_stay_numeric():
    """Check that in an object array, only columns of numbers are numeric."""
    X = np.array([[1.5, "x", True], [2.5, "y", False], [np.nan, "x", True]], object)

    encoder = TabularPreprocessor().fit(X)

    assert encoder.is_categorical_.tolist() == [False, True, True]


def test_set_output_pandas_names_the_columns_like_get_feature_names_out():
    """Check that pandas output carries get_feature_names_out as its columns."""
    X = _mixed_frame(seed=5)

    out = TabularPreprocessor().set_output(transform="pandas").fit_transform(X)

    assert isinstance(out, pd.DataFrame)
    names = TabularPreprocessor().fit(X).get_feature_names_out()
    assert out.columns.tolist() == names.tolist()
    assert len(names) == 2 + 4 + 2


def test_polars_frame_is_read_by_its_dtypes():
    """Check that a polars frame gives the same output as the same pandas frame."""
    pl = pytest.importorskip("polars")
    X = _mixed_frame(seed=6)

    expected = TabularPreprocessor().fit_transform(X)
    frame = pl.DataFrame({name: X[name].to_numpy() for name in X.columns})

    encoder = TabularPreprocessor().fit(frame)

    assert encoder.is_categorical_.tolist() == [False, False, True, True]
    out = encoder.transform(frame)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_transformer_in_a_pipeline_predicts_strings_labels():
    """Check that the transformer feeds a classifier in a pipeline on a frame."""
    X = _mixed_frame(seed=7)
    y = np.where(X["city"].isin(["Oslo", "Lima"]), "north", "south")

    pipeline = make_pipeline(TabularPreprocessor(), LogisticRegression()).fit(X, y)

    # city alone decides y, and it is one-hot encoded: a linear model gets it all.
    assert pipeline.score(X, y) == 1.0


@pytest.mark.parametrize(
    ("parameter", "value"), [("max_categories", 1), ("smooth_clip", 0.0)]
)
def test_bad_parameters_are_named_in_the_error(parameter, value):
    """Check that an out-of-range parameter raises an error naming it."""
    with pytest.raises(InvalidParameterError, match=parameter):
        TabularPreprocessor(**{parameter: value}).fit(np.ones((3, 2)))


def test_infinity_in_a_numeric_column_is_refused():
    """Check that inf in a numeric column raises a ValueError saying so."""
    X = np.array([[1.0, "a"], [np.inf, "b"]], dtype=object)

    with pytest.raises(ValueError, match="infinity"):
        TabularPreprocessor().fit(X)


def test_input_features_must_match_the_fitted_names():
    """Check that get_feature_names_out refuses names other than those of fit."""
    encoder = TabularPreprocessor().fit(_mixed_frame(seed=8))

    with pytest.raises(ValueError, match="feature_names_in_"):
        encoder.get_feature_names_out(["a", "b", "c", "d"])


def test_nullable_columns_keep_their_values_and_missing_entries():
    """Check nullable Int64, boolean and category columns with missing entries."""
    X = pd.DataFrame(
        {
            "count": pd.array([1, None, 3, 5], dtype="Int64"),
            "flag": pd.array([True, None, False, True], dtype="boolean"),
            "kind": pd.Series(["x", None, "y", "x"], dtype="category"),
        }
    )

    encoder = TabularPreprocessor(smooth_clip=None).fit(X)
    out = pd.DataFrame(encoder.transform(X), columns=encoder.get_feature_names_out())

    # Observed 1, 3, 5: median 3, quartiles 2 and 4, so (x - 3) / 2.
    np.testing.assert_allclose(out["count"], [-1.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(out["count_missing"], [0, 1, 0, 0])
    np.testing.assert_array_equal(out["flag_nan"], [0, 1, 0, 0])
    np.testing.assert_array_equal(out["kind_x"], [1, 0, 0, 1])
    np.testing.assert_array_equal(out["kind_nan"], [0, 1, 0, 0])


def test_a_failed_fit_leaves_the_fitted_transformer_unchanged():
    """Check that a refit on bad data raises and keeps the earlier fit."""
    encoder = TabularPreprocessor().fit(np.array([[1.0, 2.0], [3.0, 5.0]]))
    before = encoder.transform(np.array([[2.0, 4.0]]))

    with pytest.raises(ValueError, match="infinity"):
        encoder.fit(np.array([[1.0, "a", 0.0], [np.inf, "b", 1.0]], dtype=object))

    assert encoder.n_features_in_ == 2
    np.testing.assert_array_equal(encoder.transform(np.array([[2.0, 4.0]])), before)
