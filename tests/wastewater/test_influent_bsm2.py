"""Reading the BSM2 influent files (official files in wastewater/data/bsm2, see SOURCES.md there)."""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

import numpy as np
import pytest

from ecocity.errors import InputError
from ecocity.wastewater import evaluation
from ecocity.wastewater.influent import BSM2_COLUMNS, BSM2_FILES, read_bsm2_influent, read_influent

_DATA = resources.files("ecocity.wastewater") / "data" / "bsm2"
# sha256 as listed in wastewater/data/bsm2/SOURCES.md: the shipped files, and the decompressed
# content of the dynamic file, which is the hash in the bsm2-python 0.0.16 wheel's RECORD.
SHA256 = {
    "constinfluent_bsm2.csv": "79e042c0c62c311c11aecc1bbd584e16d28ba1dc4c4c0bef35ea85c88a8ed0d4",
    "dyninfluent_bsm2.csv.gz": "d9cc3a8ccd7c58a9051c846fc762d8a06dff6936385c6df468cb1594b82f8cb1",
}
DYNAMIC_CONTENT_SHA256 = "0a1232662f6d200e6d49138f365418dd00cbb300e6a133cd40c0032e8b335d28"


@pytest.fixture(scope="module")
def dynamic():
    return read_influent("bsm2-dynamic")


@pytest.mark.parametrize("file_name", sorted(SHA256))
def test_shipped_bsm2_files_are_the_benchmark_files(file_name):
    assert hashlib.sha256((_DATA / file_name).read_bytes()).hexdigest() == SHA256[file_name]


def test_compressed_dynamic_file_holds_the_wheel_content_unchanged():
    content = gzip.decompress((_DATA / "dyninfluent_bsm2.csv.gz").read_bytes())
    assert hashlib.sha256(content).hexdigest() == DYNAMIC_CONTENT_SHA256


def test_constant_bsm2_influent_has_the_published_values():
    # constinfluent_bsm2.csv (bsm2-python 0.0.16 data; shared/data/SOURCES.md table), both rows equal
    influent = read_influent("bsm2-constant")
    assert list(influent.columns) == list(BSM2_COLUMNS)
    assert influent.index.tolist() == [0.0, 1000.0]
    expected = {"S_I": 27.226191, "S_S": 58.176186, "X_I": 92.499001, "X_S": 363.94347, "X_BH": 50.683288,
                "S_NH": 23.859466, "S_ND": 5.651606, "X_ND": 16.129816, "S_ALK": 7.0, "TSS": 380.34432,
                "Q": 20648.361, "T": 14.85808}  # fmt: skip
    for name, value in expected.items():
        assert influent[name].tolist() == pytest.approx([value, value], rel=1e-12), name


def test_dynamic_bsm2_influent_is_609_days_of_15_minute_samples(dynamic):
    # shared/data/SOURCES.md: 58465 rows, t = 0 … 609 d, t within 3.3e-6 d of i/96; Q 5146–85841
    # (mean 21022) m3/d; T 9.50–20.50 (mean 14.31) °C; S_ALK = 7
    assert dynamic.shape == (58465, len(BSM2_COLUMNS))
    assert np.allclose(dynamic.index, np.arange(58465) / 96, atol=3.4e-6, rtol=0)
    assert dynamic["Q"].min() == pytest.approx(5146.1, abs=0.1)
    assert dynamic["Q"].max() == pytest.approx(85841, abs=1)
    assert dynamic["Q"].mean() == pytest.approx(21022, abs=1)
    assert (dynamic["T"].min(), dynamic["T"].max()) == pytest.approx((9.50, 20.50), abs=0.005)
    assert dynamic["T"].mean() == pytest.approx(14.31, abs=0.005)
    assert (dynamic["S_ALK"] == 7.0).all()


def test_influent_quality_index_over_the_evaluation_window(dynamic):
    # shared/references/wastewater.md §1.6 item 3: IQI over days 245–609 = 74 770 ± 0.1 % [2+];
    # the third-party run of the official MATLAB model (§1.2, [1]) reports 74 783.3 kg PU/d, which
    # our reader with the zero-order hold of perf_plant_bsm2.m reproduces to its printed digits.
    iqi = evaluation.quality_index_kg_pu_per_d(dynamic, influent=True, start_d=245.0, stop_d=609.0)
    assert iqi == pytest.approx(74_770.0, rel=1e-3)
    assert iqi == pytest.approx(74_783.3, abs=0.05)


def test_bsm1_names_still_read_bsm1_files():
    assert read_influent("dry").shape == (1344, 15)
    assert "T" not in read_influent("constant").columns


def _write(tmp_path, rows, name="user.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _row(t="0", tss=None, q="20000", temperature="15", x_i="100", dummies=True):
    states = ["30", "60", x_i, "300", "50", "0", "0", "0", "0", "25", "5", "15", "7"]
    particulate = 0.75 * (float(x_i) + 300 + 50)
    row = [t, *states, f"{particulate:.6f}" if tss is None else tss, q, temperature]
    return row + (["0"] * 5 if dummies else [])


def test_user_file_in_the_bsm2_layout_reads_with_or_without_dummies(tmp_path):
    full = read_bsm2_influent(_write(tmp_path, [_row("0"), _row("1")]))
    short = read_bsm2_influent(_write(tmp_path, [_row("0", dummies=False), _row("1", dummies=False)], "short.csv"))
    assert full.equals(short)
    assert full.loc[1.0, "T"] == 15.0


def test_user_file_may_be_gzip_compressed(tmp_path):
    path = tmp_path / "user.csv.gz"
    path.write_bytes(gzip.compress(b"\n".join(",".join(r).encode() for r in [_row("0"), _row("1")])))
    assert read_bsm2_influent(path).shape == (2, len(BSM2_COLUMNS))


@pytest.mark.parametrize(
    ("rows", "record", "field", "message"),
    [
        ([_row("0"), _row("1")[:-1]], "row 2", None, "21 columns; expected 22"),
        ([_row("0"), _row("1", q="abc")], "row 2", "Q", "'abc' is not a number"),
        ([_row("0"), _row("1", q="-5")], "row 2", "Q", "must be positive"),
        ([_row("0"), _row("0")], "row 2", "t", "must increase strictly"),
        ([_row("0"), _row("1", tss="99")], "row 2", "TSS", r"0\.75 × \(X_I"),
        ([_row("0", temperature="80"), _row("1")], "row 1", "T", "between 0 and 50"),
        ([_row("0", x_i="-1"), _row("1")], "row 1", "X_I", "must not be negative"),
    ],
)
def test_malformed_bsm2_file_names_file_row_and_column(tmp_path, rows, record, field, message):
    path = _write(tmp_path, rows)
    with pytest.raises(InputError, match=message) as caught:
        read_bsm2_influent(path)
    assert caught.value.file == str(path)
    assert caught.value.record == record
    assert caught.value.field == field


def test_wrong_width_and_unknown_names_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="expected 22 .* or 17"):
        read_bsm2_influent(_write(tmp_path, [["0", "1", "2"]]))
    with pytest.raises(InputError, match="bsm2-constant, bsm2-dynamic"):
        read_bsm2_influent("bsm2-wet")
    assert set(BSM2_FILES) == {"bsm2-constant", "bsm2-dynamic"}
