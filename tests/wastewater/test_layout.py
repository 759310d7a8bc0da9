"""Plant layouts: the BSM1 preset, user TOML files, and the errors bad layouts raise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel

BSM1_BY_HAND = """
name = "bsm1 written out by hand"
[[tanks]]
name = "anoxic 1"
volume_m3 = 1000
kla_per_d = 0
[[tanks]]
name = "anoxic 2"
volume_m3 = 1000
kla_per_d = 0
[[tanks]]
name = "aerobic 1"
volume_m3 = 1333
kla_per_d = 240
[[tanks]]
name = "aerobic 2"
volume_m3 = 1333
kla_per_d = 240
[[tanks]]
name = "aerobic 3"
volume_m3 = 1333
kla_per_d = 84
[[internal_recycles]]
from = "aerobic 3"
to = "anoxic 1"
flow_m3_per_d = 55338
[settler]
area_m2 = 1500
height_m = 4
underflow_m3_per_d = 18831
wastage_m3_per_d = 385
return_to = "anoxic 1"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plant.toml"
    path.write_text(text)
    return path


def test_bsm1_preset_has_the_benchmark_volumes_aeration_and_flows():
    # Alex et al. (2008), BSM1 description, plant layout and open-loop operation.
    plant = load_plant("bsm1")
    assert [t.volume_m3 for t in plant.tanks] == [1000, 1000, 1333, 1333, 1333]
    assert [t.kla_per_d for t in plant.tanks] == [0, 0, 240, 240, 84]
    assert plant.internal_recycles[0].flow_m3_per_d == 55338
    assert plant.settler.return_sludge_m3_per_d == 18446
    assert plant.settler.wastage_m3_per_d == 385
    assert (plant.settler.area_m2, plant.settler.height_m, plant.settler.layers) == (1500, 4, 10)
    assert plant.settler.feed_layer_from_top == 5


def test_flows_through_the_bsm1_tanks_are_influent_plus_recycles():
    model = PlantModel.from_layout(load_plant("bsm1"))
    np.testing.assert_allclose(model.through_offset_m3_per_d, 55338 + 18446)
    assert model.settler_feed_flow_m3_per_d(18446) == 18446 + 18446


def test_user_plant_written_like_bsm1_gives_the_same_right_hand_side(tmp_path):
    preset = PlantModel.from_layout(load_plant("bsm1"))
    by_hand = PlantModel.from_layout(load_plant(_write(tmp_path, BSM1_BY_HAND)))
    rng = np.random.default_rng(1)
    y = rng.uniform(0.1, 3000.0, preset.size)
    influent = rng.uniform(0.0, 200.0, 13)
    np.testing.assert_array_equal(by_hand.derivatives(y, influent, 18446.0), preset.derivatives(y, influent, 18446.0))


def test_do_setpoint_tank_holds_its_oxygen(tmp_path):
    text = BSM1_BY_HAND.replace("kla_per_d = 84", "do_setpoint_g_per_m3 = 2.0")
    model = PlantModel.from_layout(load_plant(_write(tmp_path, text)))
    y = model.initial_state(np.full((5, 13), 10.0), np.full(10, 500.0))
    assert y[4 * 13 + 7] == 2.0
    assert model.derivatives(y, np.full(13, 5.0), 18446.0)[4 * 13 + 7] == 0.0


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("volume_m3 = 1000\nkla_per_d = 0\n[[tanks]]\nname = \"anoxic 2\"", "volume_m3 = -5\nkla_per_d = 0\n[[tanks]]\nname = \"anoxic 2\"", r"field 'tanks\.0\.volume_m3'.*greater than 0"),
        ("[settler]", "[[digester]]\nvolume_m3 = 3400\n[settler]", r"field 'digester'.*unknown unit"),
        ('to = "anoxic 1"', 'to = "anoxic 9"', r"recycle to nowhere: no tank 'anoxic 9'"),
        ('return_to = "anoxic 1"', 'return_to = "nowhere"', r"return sludge to nowhere"),
        ("wastage_m3_per_d = 385", "wastage_m3_per_d = 20000", r"field 'settler'.*wastage_m3_per_d 20000 is above the settler underflow"),
        ('from = "aerobic 3"\nto = "anoxic 1"', 'from = "anoxic 1"\nto = "aerobic 3"', r"goes downstream"),
        ("kla_per_d = 240\n[[tanks]]\nname = \"aerobic 2\"", "[[tanks]]\nname = \"aerobic 2\"", r"exactly one of kla_per_d"),
    ],
)
def test_bad_layout_raises_input_error_naming_file_and_field(tmp_path, old, new, match):
    assert old in BSM1_BY_HAND
    path = _write(tmp_path, BSM1_BY_HAND.replace(old, new, 1))
    with pytest.raises(InputError, match=r"plant\.toml.*" + match):
        load_plant(path)


def test_missing_or_broken_plant_file(tmp_path):
    with pytest.raises(InputError, match="no such plant file; expected a TOML path or one of bsm1"):
        load_plant(tmp_path / "absent.toml")
    with pytest.raises(InputError, match="cannot read the plant file"):
        load_plant(_write(tmp_path, "name = ["))
