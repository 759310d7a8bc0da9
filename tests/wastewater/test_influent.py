"""Reading the BSM1 influent files (official files in wastewater/data/bsm1, see SOURCES.md there)."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.influent import BENCHMARK_FILES, COLUMNS, read_influent

# sha256 of the files as copied from the benchmark (wastewater/data/bsm1/SOURCES.md).
SHA256 = {
    "constinfluent.ascii": "02ba474dcb43b8e3c7b7de44abfac1418c808c8b0397008c09cc04b612121c93",
    "dryinfluent.ascii": "ab2e191c56109aa18989abcdc1dc96d612c821af84786209bdc6622a42a94e0b",
    "raininfluent.ascii": "071898f43a533dd121d616c3e43d0aebcdf125667361bdf9f0319117e7a7bd8c",
    "storminfluent.ascii": "68b6b69ef6416cf0ae4b8ef081b16e2b5e57a7bb066e16e30647fca81660b3f2",
}


@pytest.mark.parametrize("file_name", sorted(SHA256))
def test_shipped_influent_files_are_the_benchmark_files_unchanged(file_name):
    data = (resources.files("ecocity.wastewater") / "data" / "bsm1" / file_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHA256[file_name]


def test_constant_influent_has_the_bsm1_values():
    # BSM1 description (Alex et al. 2008), Table 2.4 / constinfluent.ascii
    influent = read_influent("constant")
    assert list(influent.columns) == list(COLUMNS)
    assert influent.index.name == "t"
    row = influent.iloc[0]
    expected = {"S_I": 30.0, "S_S": 69.5, "X_I": 51.2, "X_S": 202.32, "X_BH": 28.17, "S_NH": 31.56,
                "S_ND": 6.95, "X_ND": 10.59, "S_ALK": 7.0, "TSS": 211.2675, "Q": 18446.0}  # fmt: skip
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, rel=1e-12), name
    assert row[["X_BA", "X_P", "S_O", "S_NO"]].tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("name", ["dry", "rain", "storm"])
def test_dynamic_influents_are_14_days_of_15_minute_samples(name):
    influent = read_influent(name)
    assert influent.shape == (1344, len(COLUMNS))
    assert np.allclose(influent.index, np.arange(1344) / 96, atol=1e-8)
    assert (influent["S_ALK"] == 7.0).all()
    tss = 0.75 * (influent["X_S"] + influent["X_I"] + influent["X_BH"])
    assert np.allclose(influent["TSS"], tss, rtol=1e-14)


def test_dry_weather_flow_weighted_means_equal_the_constant_influent():
    # The constant influent is the flow-weighted mean of the dry-weather file (to 4 digits).
    dry, constant = read_influent("dry"), read_influent("constant").iloc[0]
    weights = dry["Q"] / dry["Q"].sum()
    for name in ("S_S", "X_BH", "X_S", "X_I", "S_NH", "S_I", "S_ND", "X_ND"):
        assert (dry[name] * weights).sum() == pytest.approx(constant[name], rel=1e-3), name
    assert dry["Q"].mean() == pytest.approx(18446.33, abs=0.01)


def test_user_file_in_the_16_column_layout_reads_like_the_benchmark(tmp_path):
    path = tmp_path / "mine.txt"
    row = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"
    path.write_text(f"0 {row}\n0.5 {row}\n")
    influent = read_influent(path)
    assert influent.index.tolist() == [0.0, 0.5]
    assert influent.loc[0.5, "Q"] == 15.0 and influent.loc[0.0, "S_I"] == 1.0


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("0 1 2 3 4 5 6 7 8 9\n0.1 1 2 3 4 5 6 7 8\n", r"row 2.*9 columns; expected 10"),
        ("0 1 2 3 4 5 6 7 8 9\n0.1 1 2 x 4 5 6 7 8 9\n", r"row 2.*field 'X_S'.*not a number"),
        ("0 1 2 3 4 5 6 7 8 9\n0 1 2 3 4 5 6 7 8 9\n", r"row 2.*field 't'.*increase"),
        ("0 1 2 3 4 5 6 7 8 -9\n", r"row 1.*field 'Q'.*positive"),
        ("0 1 -2 3 4 5 6 7 8 9\n", r"row 1.*field 'X_BH'.*negative"),
        ("0 1 2 3\n", r"row 1.*4 columns; expected 16"),
        ("\n", r"no data rows"),
    ],
)
def test_malformed_user_file_names_file_row_and_column(tmp_path, content, match):
    path = tmp_path / "bad_influent.txt"
    path.write_text(content)
    with pytest.raises(InputError, match=r"bad_influent\.txt.*" + match):
        read_influent(path)


def test_unknown_influent_name_lists_the_benchmark_names():
    with pytest.raises(InputError, match="constant, dry, rain, storm"):
        read_influent("drizzle")
    assert set(BENCHMARK_FILES) == {"constant", "dry", "rain", "storm"}
