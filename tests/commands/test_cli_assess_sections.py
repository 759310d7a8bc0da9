"""The lines ``ecocity assess`` prints for the optional plant and buildings sections."""

from ecocity.commands.assess import section_lines


def test_no_optional_sections_print_nothing():
    assert section_lines({"scenarios": []}) == []


def test_plant_and_buildings_sections_are_summarised():
    results = {
        "wastewater": {"plant": "bsm2", "indicators": [
            {"name": "effluent_cod_g_per_m3", "passed": True},
            {"name": "effluent_tn_g_per_m3", "passed": False},
            {"name": "operational_cost_index", "passed": None},
        ]},
        "buildings": {"portfolio": "buildings", "buildings": [
            {"building_id": "A", "name": "Office A", "flags": [{"kind": "stuck"}]},
            {"building_id": "B", "name": "", "flags": []},
        ]},
    }
    lines = section_lines(results)
    assert lines[0] == "wastewater: plant bsm2, 1/2 effluent limits met (not met: effluent_tn_g_per_m3)"
    assert lines[1] == "buildings: 2 in portfolio buildings, 1 with flags; act first: Office A, B"
