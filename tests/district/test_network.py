"""Node ids of network.inp and the outlet rules (subcatchment, network node, loops)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecocity.district.network import check_outlets, find_routing_cycle, node_ids_from_inp_text
from ecocity.errors import InputError

from .helpers import DISTRICTS

INP = """
[TITLE]
J9 is a title, not a node
[JUNCTIONS]
;;Name  Elevation MaxDepth
J1      21.5      2.5   ; the upper junction
  J2    21.0      2.5
;J3     20.0      2.0
[outfalls]
OF1     20.2      FREE
[Storage]
T1 19 3 0 FUNCTIONAL 1000 0 0
[DIVIDERS]
D1 20 L2 CUTOFF 0.1
[CONDUITS]
L1 J1 J2 150 0.013
"""


def test_node_ids_come_from_the_four_node_sections_without_comments():
    assert node_ids_from_inp_text(INP) == {"J1", "J2", "OF1", "T1", "D1"}


def test_fixture_network_has_two_junctions_and_one_outfall():
    text = (DISTRICTS / "small_network" / "network.inp").read_text()
    assert node_ids_from_inp_text(text) == {"J1", "J2", "OF1"}


def test_fixture_network_runs_in_swmm_without_errors(tmp_path):
    """The fixture is valid SWMM 5.2 input: the engine reads and runs it (no subcatchments: zero flow)."""
    solver = pytest.importorskip("swmm.toolkit.solver")
    inp = Path(shutil.copy(DISTRICTS / "small_network" / "network.inp", tmp_path / "network.inp"))
    solver.swmm_run(str(inp), str(tmp_path / "network.rpt"), str(tmp_path / "network.out"))
    report = (tmp_path / "network.rpt").read_text()
    assert "ERROR" not in report
    assert "Flow Routing Continuity" in report


@pytest.mark.parametrize(
    ("outlets", "cycle"),
    [
        ({"A": "B", "B": "OF"}, []),
        ({"A": "A"}, ["A", "A"]),
        ({"A": "B", "B": "C", "C": "A", "D": "A"}, ["A", "B", "C", "A"]),
        ({"D": "E", "E": "F", "F": "E"}, ["E", "F", "E"]),
    ],
    ids=["chain to an outfall", "onto itself", "three in a loop", "tail into a loop"],
)
def test_routing_cycles_are_found_and_named(outlets, cycle):
    assert find_routing_cycle(outlets) == cycle


def test_with_a_network_an_outlet_may_be_a_node_or_a_subcatchment():
    check_outlets({"S1": "J1", "S3": "S1"}, frozenset({"J1"}), file=Path("s.geojson"), network_file=Path("n.inp"))


def test_without_a_network_any_outlet_name_is_accepted():
    check_outlets({"S1": "anything"}, None, file=Path("s.geojson"), network_file=None)


def test_with_a_network_an_unknown_outlet_is_an_error_naming_the_subcatchment():
    with pytest.raises(InputError, match=r"s\.geojson, record 'S1', field 'outlet'.*'J7'.*n\.inp"):
        check_outlets({"S1": "J7"}, frozenset({"J1"}), file=Path("s.geojson"), network_file=Path("n.inp"))
