"""hash_inputs and versions: what makes a stored run reproducible."""

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import ecocity
from ecocity import InputError
from ecocity.store import hash_inputs, versions


class _Scenario(BaseModel):
    name: str
    measures: dict[str, float]


def test_hash_ignores_dict_key_order():
    assert hash_inputs({"a": 1, "b": {"x": 1.5, "y": None}}) == hash_inputs(
        {"b": {"y": None, "x": 1.5}, "a": 1}
    )


def test_hash_of_pydantic_models_ignores_field_insertion_order():
    first = _Scenario(name="sponge", measures={"green_roof": 0.3, "permeable": 0.2})
    second = _Scenario(measures={"permeable": 0.2, "green_roof": 0.3}, name="sponge")
    assert hash_inputs(first) == hash_inputs(second)
    assert hash_inputs(first) != hash_inputs(first.model_copy(update={"name": "baseline"}))


def test_hash_distinguishes_values_that_print_alike():
    assert hash_inputs({"a": 1}) != hash_inputs({"a": "1"})
    assert hash_inputs({"a": 1}) != hash_inputs({"a": True})
    assert hash_inputs([1, 2]) != hash_inputs([2, 1])


def test_hash_is_the_same_in_another_process():
    obj = {"district": "tongzhou", "years": 10, "depths_mm": [1.5, 2.25], "tags": {"b", "a"}}
    code = (
        "from ecocity.store import hash_inputs;"
        "print(hash_inputs({'tags': {'a', 'b'}, 'years': 10, 'depths_mm': [1.5, 2.25],"
        " 'district': 'tongzhou'}))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert other == hash_inputs(obj)


def test_hash_changes_with_one_byte_of_a_referenced_file(tmp_path):
    rain = tmp_path / "rain.csv"
    rain.write_bytes(b"time,depth_mm\n2024-06-01 00:00,1.0\n")
    before = hash_inputs({"years": 10}, files=[rain])
    rain.write_bytes(b"time,depth_mm\n2024-06-01 00:00,1.1\n")
    assert hash_inputs({"years": 10}, files=[rain]) != before


def test_hash_of_a_path_object_is_its_contents(tmp_path):
    rain = tmp_path / "rain.csv"
    rain.write_text("a\n")
    assert hash_inputs(rain) == hash_inputs(Path(str(rain)))
    before = hash_inputs(rain)
    rain.write_text("b\n")
    assert hash_inputs(rain) != before


def test_hash_of_a_folder_follows_its_files_not_its_location(tmp_path):
    first = tmp_path / "one" / "tongzhou"
    second = tmp_path / "two" / "tongzhou"
    for folder in (first, second):
        (folder / "climate").mkdir(parents=True)
        (folder / "district.toml").write_text("name = 'tongzhou'\n")
        (folder / "climate" / "rain.csv").write_text("depth_mm\n1.0\n")
    assert hash_inputs(files=[first]) == hash_inputs(files=[second])
    (second / "climate" / "rain.csv").write_text("depth_mm\n2.0\n")
    assert hash_inputs(files=[first]) != hash_inputs(files=[second])


def test_hash_ignores_the_order_files_are_listed_in(tmp_path):
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text("1")
    two.write_text("2")
    assert hash_inputs(files=[one, two]) == hash_inputs(files=[two, one])


def test_missing_input_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="nowhere.csv"):
        hash_inputs(files=[tmp_path / "nowhere.csv"])


def test_objects_without_a_canonical_form_are_refused():
    with pytest.raises(TypeError, match="object"):
        hash_inputs(object())
    with pytest.raises(TypeError, match="string keys"):
        hash_inputs({1: "a"})


def test_versions_record_ecocity_libraries_and_given_engines():
    found = versions({"swmm": "5.2.4"})
    assert found["ecocity"] == ecocity.__version__
    assert found["swmm"] == "5.2.4"
    assert {"python", "numpy", "pandas", "scipy"} <= set(found)


def test_versions_refuse_an_engine_named_like_a_library():
    with pytest.raises(ValueError, match="pandas"):
        versions({"pandas": "0.1"})


def test_a_path_field_of_a_model_counts_by_content_not_location(tmp_path):
    from ecocity.district.model import Climate

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "rain.csv").write_text("timestamp,depth_mm\n2024-01-01T00:00,1.0\n")
    (b / "rain.csv").write_text("timestamp,depth_mm\n2024-01-01T00:00,1.0\n")
    assert hash_inputs(Climate(rainfall=a / "rain.csv")) == hash_inputs(Climate(rainfall=b / "rain.csv"))
    (b / "rain.csv").write_text("timestamp,depth_mm\n2024-01-01T00:00,2.0\n")
    assert hash_inputs(Climate(rainfall=a / "rain.csv")) != hash_inputs(Climate(rainfall=b / "rain.csv"))


def test_versions_record_a_digest_of_the_code():
    from ecocity.store.hashing import code_digest

    digest = versions()["ecocity_code"]
    assert digest == code_digest() and len(digest) == 16 and int(digest, 16) >= 0
