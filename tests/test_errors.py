"""The error hierarchy and its messages (STYLE.md: error messages are part of the contract)."""

import pytest

from ecocity import EcocityError, EngineError, InputError, ModelError


def test_input_error_names_file_record_and_field():
    err = InputError("must be > 0", file="subcatchments.geojson", record="S12", field="area_m2")
    assert str(err) == "subcatchments.geojson, record 'S12', field 'area_m2': must be > 0"
    assert err.file == "subcatchments.geojson" and err.record == "S12" and err.field == "area_m2"


def test_input_error_without_location_is_just_the_problem():
    assert str(InputError("no district folder given")) == "no district folder given"


@pytest.mark.parametrize("kind", [InputError, ModelError, EngineError])
def test_every_error_is_an_ecocity_error(kind):
    assert issubclass(kind, EcocityError)
