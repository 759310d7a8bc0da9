"""The shared district/scenario model and its loader."""

from ecocity.district.model import (
    BASELINE,
    Climate,
    District,
    LandCover,
    Measure,
    Scenario,
    Subcatchment,
    Targets,
)

__all__ = ["BASELINE", "Climate", "District", "LandCover", "Measure", "Scenario", "Subcatchment", "Targets"]

from ecocity.district.load import load_district  # noqa: E402
from ecocity.district.write import write_district  # noqa: E402

__all__ += ["load_district", "write_district"]
