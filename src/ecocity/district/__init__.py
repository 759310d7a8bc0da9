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
