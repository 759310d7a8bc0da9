"""``ecocity sponge optimise``: bad options are input errors (exit 2), before any simulation."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecocity.district.write import write_district

from .helpers import small_district


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    district, _ = small_district(tmp_path_factory.mktemp("cli") / "src")
    return write_district(district, district.folder.parent / "district")


def _run(*args: str):
    from ecocity.cli import _register, app

    if not any(group.name == "sponge" for group in app.registered_groups):
        _register()
    return CliRunner().invoke(app, ["sponge", "optimise", *map(str, args)])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--cost", "cheapest"], "expected capital or whole_life"),
        (["--lid", "swamp"], "no optimisation option for LID type"),
        (["--population", "1"], "population needs at least 2"),
        (["--evaluations", "3", "--population", "4"], "must be at least the population"),
        (["--screen-years", "5"], "fewer than the 5 asked for screening"),
        (["--levels", "0"], "levels must be at least 1"),
        (["--surrogate", "--simulate-per-generation", "9", "--population", "4"], "simulated per generation"),
    ],
)
def test_bad_options_are_input_errors(folder, tmp_path, options, message):
    from ecocity.errors import InputError

    result = _run(folder, *options, "--out", tmp_path / "out")
    assert isinstance(result.exception, InputError)
    assert message in str(result.exception)
