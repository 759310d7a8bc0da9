"""Child-process entry of the SWMM adapter: ``python -m ecocity.stormwater._worker FOLDER``.

Runs one simulation in FOLDER (see :func:`ecocity.stormwater.engine.simulate_in_folder`).
"""

import sys
from pathlib import Path

from ecocity.stormwater.engine import simulate_in_folder

if __name__ == "__main__":
    simulate_in_folder(Path(sys.argv[1]))
