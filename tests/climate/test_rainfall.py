"""Reading, checking, resampling and event splitting of rainfall series.

The series here are hand-made, so every expected number is computed in the test itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecocity.climate.rainfall import (
    check_rainfall,
    fill_gaps_with_zero,
    read_rainfall,
    resample_depth,
    split_events,
    write_rainfall,
)
from ecocity.errors import InputError


def write(tmp_path, text: str, name: str = "rain.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_plain_depth_csv_is_read_as_depth_per_step(tmp_path):
    path = write(tmp_path, "timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,1.5\n2020-07-01 00:10,0.5\n")
    series = read_rainfall(path)
    assert series.name == "depth_mm"
    assert list(series) == [0.0, 1.5, 0.5]
    assert series.index[1] == pd.Timestamp("2020-07-01 00:05")
    assert series.attrs["source"] == str(path)


def test_intensity_column_is_converted_with_the_step(tmp_path):
    # 12 mm/h over a 5-min step is 12 * 5/60 = 1.0 mm.
    path = write(tmp_path, "timestamp,intensity_mm_per_h\n2020-07-01 00:00,12\n2020-07-01 00:05,6\n")
    assert list(read_rainfall(path)) == pytest.approx([1.0, 0.5], rel=1e-12)


def test_explicit_unit_names_a_differently_named_column(tmp_path):
    path = write(tmp_path, "timestamp,rain\n2020-07-01 00:00,60\n2020-07-01 01:00,30\n")
    assert list(read_rainfall(path, unit="mm/h")) == pytest.approx([60.0, 30.0], rel=1e-12)
    assert list(read_rainfall(path, unit="mm")) == pytest.approx([60.0, 30.0], rel=1e-12)


def test_explicit_unit_matching_the_named_column_is_accepted(tmp_path):
    path = write(tmp_path, "timestamp,depth_mm\n2020-07-01 00:00,1\n2020-07-01 00:05,2\n")
    assert list(read_rainfall(path, unit="mm")) == [1.0, 2.0]
    with pytest.raises(InputError, match="ambiguous"):
        read_rainfall(path, unit="mm/h")  # the file says depth, the caller says intensity


def test_parquet_with_timestamp_index_is_read(tmp_path):
    index = pd.date_range("2020-01-01", periods=4, freq="1min", name="timestamp")
    frame = pd.DataFrame({"depth_mm": [0.0, 0.2, 0.0, 0.1]}, index=index)
    frame.attrs["synthetic"] = True
    frame.to_parquet(tmp_path / "rain.parquet")
    series = read_rainfall(tmp_path / "rain.parquet")
    assert list(series) == [0.0, 0.2, 0.0, 0.1]
    assert series.attrs["synthetic"] is True


@pytest.mark.parametrize(
    ("text", "unit", "record", "field"),
    [
        ("timestamp,depth_mm\n2020-07-01 00:00,0\nnot a date,1\n", None, "row 2", "timestamp"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,-1\n", None, "row 2", "depth_mm"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,\n", None, "row 2", "depth_mm"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,abc\n", None, "row 2", "depth_mm"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,inf\n", None, "row 2", "depth_mm"),
        ("timestamp,rain\n2020-07-01 00:00,-inf\n2020-07-01 00:05,0\n", "mm", "row 1", "rain"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,0\n2020-07-01 00:12,1\n", None, "row 3", "timestamp"),
        ("timestamp,depth_mm\n2020-07-01 00:12,1\n2020-07-01 00:00,0\n2020-07-01 00:05,0\n", None, "row 1", "timestamp"),
        ("timestamp,depth_mm,depth_mm\n2020-07-01 00:00,0,1\n2020-07-01 00:05,1,0\n", None, None, "depth_mm"),
        ("timestamp,depth_mm, timestamp\n2020-07-01 00:00,0,x\n2020-07-01 00:05,1,y\n", None, None, "timestamp"),
        ("timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,1\n2020-07-01 00:05,2\n", None, "row 3", "timestamp"),
    ],
    ids=["bad date", "negative", "empty", "text", "inf", "-inf", "off step", "off step unsorted", "two depth_mm",
         "two timestamp", "duplicate"],
)
def test_bad_rows_name_file_row_and_column(tmp_path, text, unit, record, field):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_rainfall(path, unit=unit)
    err = caught.value
    assert (err.file, err.record, err.field) == (str(path), record, field)
    assert "rain.csv" in str(err)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_synthetic_label_survives_a_write_and_read(tmp_path, suffix):
    series = pd.Series([0.0, 1.25, 0.5], index=pd.date_range("1983-01-01", periods=3, freq="5min"), name="depth_mm")
    series.attrs.update(synthetic=True, model="Markov chain + gamma + cascade", parameters="beijing", seed=3)
    path = tmp_path / f"synthetic{suffix}"
    write_rainfall(series, path)
    back = read_rainfall(path)
    assert list(back) == [0.0, 1.25, 0.5]
    assert {key: back.attrs[key] for key in ("synthetic", "model", "parameters", "seed")} == series.attrs


def test_csv_label_line_reads_back_and_plain_csvs_have_no_label(tmp_path):
    series = pd.Series([0.0, 1.0], index=pd.date_range("2020-07-01", periods=2, freq="5min"), name="depth_mm")
    write_rainfall(series, tmp_path / "plain.csv")
    assert (tmp_path / "plain.csv").read_text().startswith("timestamp,depth_mm\n")
    assert "synthetic" not in read_rainfall(tmp_path / "plain.csv").attrs
    series.attrs.update(synthetic=True, model="cascade", seed=7)
    write_rainfall(series, tmp_path / "labelled.csv")
    assert (tmp_path / "labelled.csv").read_text().startswith("# synthetic: cascade; seed 7\ntimestamp,depth_mm\n")
    other_comment = write(tmp_path, "# gauge 54511, Beijing\ntimestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,1\n")
    assert "synthetic" not in read_rainfall(other_comment).attrs


@pytest.mark.parametrize("stamps", [[0, 300_000_000_000], [1.0, 2.0]], ids=["int64", "float64"])
def test_parquet_timestamps_stored_as_numbers_are_refused_not_read_as_ns_since_1970(tmp_path, stamps):
    pd.DataFrame({"timestamp": stamps, "depth_mm": [0.0, 1.0]}).to_parquet(tmp_path / "rain.parquet")
    with pytest.raises(InputError, match="rain.parquet.*stored as .* numbers, not date-times") as caught:
        read_rainfall(tmp_path / "rain.parquet")
    assert caught.value.field == "timestamp"


def test_missing_value_column_and_unknown_unit_are_input_errors(tmp_path):
    path = write(tmp_path, "timestamp,rain,other\n2020-07-01 00:00,0,1\n2020-07-01 00:05,1,1\n")
    with pytest.raises(InputError, match="rain.csv.*depth_mm"):
        read_rainfall(path)
    with pytest.raises(InputError, match="unknown unit 'inch'") as caught:
        read_rainfall(path, unit="inch")
    assert caught.value.field == "unit"
    with pytest.raises(InputError, match="ambiguous"):
        read_rainfall(path, unit="mm")
    no_time = write(tmp_path, "time,depth_mm\n2020-07-01,0\n2020-07-02,0\n", "no_time.csv")
    with pytest.raises(InputError, match="no_time.csv.*timestamp"):
        read_rainfall(no_time)


def test_irregular_timestamps_are_rejected(tmp_path):
    path = write(tmp_path, "timestamp,depth_mm\n2020-07-01 00:00,0\n2020-07-01 00:05,0\n2020-07-01 00:12,1\n")
    with pytest.raises(InputError, match="not on the series' 0 days 00:05:00 step"):
        read_rainfall(path)


def test_gaps_are_kept_and_reported_not_filled(tmp_path):
    # Steps 00:10 and 00:15 are missing; 00:30 is missing too.
    path = write(
        tmp_path,
        "timestamp,depth_mm\n2020-07-01 00:00,1\n2020-07-01 00:05,2\n2020-07-01 00:20,3\n"
        "2020-07-01 00:25,0\n2020-07-01 00:35,4\n",
    )
    series = read_rainfall(path)
    assert len(series) == 5  # nothing was added
    check = check_rainfall(series)
    assert check.step == pd.Timedelta(minutes=5)
    assert check.n_steps == 5
    assert check.gaps == [
        (pd.Timestamp("2020-07-01 00:10"), pd.Timestamp("2020-07-01 00:15")),
        (pd.Timestamp("2020-07-01 00:30"), pd.Timestamp("2020-07-01 00:30")),
    ]
    assert check.missing_steps == 3
    assert check.total_mm == 10.0
    # 00:00 to 00:40 is 40 minutes.
    assert check.years == pytest.approx(40 / (365.25 * 24 * 60), rel=1e-12)
    with pytest.raises(InputError, match="rain.csv.*2 \\(first at 2020-07-01 00:10:00\\).*fill_gaps_with_zero"):
        resample_depth(series, "10min")
    with pytest.raises(InputError, match="gaps"):
        split_events(series)
    filled = fill_gaps_with_zero(series)
    assert list(filled) == [1, 2, 0, 0, 3, 0, 0, 4]
    assert filled.attrs["filled_steps"] == 3
    assert check_rainfall(filled).gaps == []


def test_resample_depth_sums_into_bins_labelled_by_start():
    index = pd.date_range("2020-07-01 00:00", periods=6, freq="5min")
    series = pd.Series([1.0, 2.0, 0.0, 4.0, 0.5, 0.5], index=index, name="depth_mm")
    hourly = resample_depth(series, "15min")
    assert list(hourly) == [3.0, 5.0]
    assert list(hourly.index) == [pd.Timestamp("2020-07-01 00:00"), pd.Timestamp("2020-07-01 00:15")]
    with pytest.raises(InputError, match="whole multiple"):
        resample_depth(series, "7min")


def test_resample_depth_bins_start_at_the_series_start_not_at_midnight():
    # 5-min steps from 00:05 summed to 15 min: [00:05, 00:20) holds 00:05, 00:10, 00:15, and so
    # on; bins from midnight would give 00:00 (2 steps), 00:15 (3), 00:30 (1).
    index = pd.date_range("2020-07-01 00:05", periods=6, freq="5min")
    series = pd.Series([1.0, 2.0, 4.0, 8.0, 16.0, 32.0], index=index, name="depth_mm")
    coarse = resample_depth(series, "15min")
    assert list(coarse) == [7.0, 56.0]
    assert list(coarse.index) == [pd.Timestamp("2020-07-01 00:05"), pd.Timestamp("2020-07-01 00:20")]
    assert coarse.sum() == series.sum()


def test_split_events_on_hand_made_series():
    # 10-min steps. Wet at 00:00 (1 mm), 00:10 (3 mm); dry 00:20-01:50 (10 steps = 100 min);
    # wet at 02:00 (0.5 mm); dry 02:10-02:50 (5 steps = 50 min); wet at 03:00 (2 mm).
    # With MIT = 1 h: the 100-min spell separates, the 50-min spell does not ->
    # event 1: 00:00-00:20, 4 mm, 0.333 h, peak 3 mm/10 min = 18 mm/h;
    # event 2: 02:00-03:10, 2.5 mm, 1.1667 h, peak 2 mm/10 min = 12 mm/h.
    values = np.zeros(19)
    values[[0, 1, 12, 18]] = [1.0, 3.0, 0.5, 2.0]
    series = pd.Series(values, index=pd.date_range("2020-07-01", periods=19, freq="10min"), name="depth_mm")
    events = split_events(series, min_inter_event_h=1.0)
    assert list(events.columns) == ["start", "end", "depth_mm", "duration_h", "peak_intensity_mm_per_h"]
    assert list(events["start"]) == [pd.Timestamp("2020-07-01 00:00"), pd.Timestamp("2020-07-01 02:00")]
    assert list(events["end"]) == [pd.Timestamp("2020-07-01 00:20"), pd.Timestamp("2020-07-01 03:10")]
    assert events["depth_mm"].tolist() == pytest.approx([4.0, 2.5], rel=1e-12)
    assert events["duration_h"].tolist() == pytest.approx([20 / 60, 70 / 60], rel=1e-12)
    assert events["peak_intensity_mm_per_h"].tolist() == pytest.approx([18.0, 12.0], rel=1e-12)
    # With MIT = 40 min the 50-min spell separates too: three events; a 3 mm floor keeps one.
    assert len(split_events(series, min_inter_event_h=40 / 60)) == 3
    assert split_events(series, min_inter_event_h=40 / 60, min_depth_mm=3.0)["depth_mm"].tolist() == [4.0]


def test_split_events_mass_balance_on_random_series():
    rng = np.random.default_rng(7)
    values = np.where(rng.random(5000) < 0.1, rng.exponential(1.0, 5000), 0.0)
    series = pd.Series(values, index=pd.date_range("2020-01-01", periods=5000, freq="5min"), name="depth_mm")
    events = split_events(series, min_inter_event_h=2.0)
    assert events["depth_mm"].sum() == pytest.approx(values.sum(), rel=1e-12)
    assert (events["start"].iloc[1:].to_numpy() - events["end"].iloc[:-1].to_numpy() >= pd.Timedelta(hours=2)).all()


def copenhagen_csv(tmp_path, start: str, end: str, name: str = "copenhagen.csv"):
    """5-min rows in Copenhagen wall time with their offsets (+01:00 in winter, +02:00 in summer)."""
    stamps = pd.date_range(start, end, freq="5min", tz="Europe/Copenhagen")
    return write(tmp_path, "timestamp,depth_mm\n" + "".join(f"{t.isoformat()},0.1\n" for t in stamps), name)


def test_offsets_changing_at_daylight_saving_give_one_regular_series_in_standard_time(tmp_path):
    # 2021-03-28: 02:00 CET jumps to 03:00 CEST, so 00:00-04:00 wall time is 3 h: 37 steps.
    series = read_rainfall(copenhagen_csv(tmp_path, "2021-03-28 00:00", "2021-03-28 04:00"))
    assert series.index.tz is None
    assert len(series) == 37 and not series.index.has_duplicates
    assert (np.diff(series.index.asi8) == pd.Timedelta(minutes=5) / pd.Timedelta(1, unit=series.index.unit)).all()
    assert (series.index[0], series.index[-1]) == (pd.Timestamp("2021-03-28 00:00"), pd.Timestamp("2021-03-28 03:00"))
    # 2021-10-31: 03:00 CEST falls back to 02:00 CET; a record starting in summer time is put in
    # standard time too (the smallest offset of the file), 00:00+02:00 = 23:00 the day before.
    autumn = read_rainfall(copenhagen_csv(tmp_path, "2021-10-31 00:00", "2021-10-31 04:00", "autumn.csv"))
    assert len(autumn) == 61 and not autumn.index.has_duplicates
    assert (autumn.index[0], autumn.index[-1]) == (pd.Timestamp("2021-10-30 23:00"), pd.Timestamp("2021-10-31 04:00"))
    assert check_rainfall(autumn).gaps == []


def test_one_offset_throughout_is_kept_as_local_time(tmp_path):
    path = write(tmp_path, "timestamp,depth_mm\n2020-07-01 00:00+08:00,0\n2020-07-01 00:05+08:00,1\n")
    assert list(read_rainfall(path).index) == [pd.Timestamp("2020-07-01 00:00"), pd.Timestamp("2020-07-01 00:05")]


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("2021-03-28 01:55,0\n2021-03-28 03:00+02:00,1\n2021-03-28 03:05+02:00,1\n", "row 2"),
        ("2021-03-28 01:50+01:00,0\n2021-03-28 01:55+01:00,0\n2021-03-28 03:00+02:00,1\n2021-03-28 03:05,1\n", "row 4"),
        ("2021-03-28 01:50+01:00,0\n2021-03-28 01:55+01:00,0\n2021-03-28 03:00,1\n", "row 3"),
    ],
    ids=["naive first", "naive after a DST change", "naive after one offset"],
)
def test_timestamps_with_and_without_offsets_are_an_input_error(tmp_path, text, record):
    path = write(tmp_path, "timestamp,depth_mm\n" + text)
    with pytest.raises(InputError, match="UTC offset, unlike row 1; give every timestamp an offset, or none") as caught:
        read_rainfall(path)
    assert (caught.value.file, caught.value.record, caught.value.field) == (str(path), record, "timestamp")
