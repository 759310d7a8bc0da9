"""ecocity: decision support for sustainable city development.

Areas: sponge city (stormwater), wastewater, buildings, planning; one district model, one CLI.
"""

from ecocity.errors import EcocityError, EngineError, InputError, ModelError

__version__ = "0.1.0"

__all__ = ["EcocityError", "EngineError", "InputError", "ModelError", "__version__"]
