#!/bin/sh
# Create the two eemeter peer environments for bench_buildings and the buildings fixtures:
#   benchmarks/.venv-eemeter2  eemeter 2.10.11 (CalTRACK 2.0 reference; needs pandas<2, numpy<2)
#   benchmarks/.venv-eemeter4  eemeter 4.x (daily model, legacy mode; CalTRACK hourly model)
# Both are git-ignored (benchmarks/.venv*/). Usage: benchmarks/peers/eemeter_env.sh [python] [2|4|all]
# (default python3.11, all). `make bench-peers` calls it with `all`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${1:-python3.11}
WHICH=${2:-all}
if [ "$WHICH" = "2" ] || [ "$WHICH" = "all" ]; then
    V2="$HERE/../.venv-eemeter2"
    [ -x "$V2/bin/python" ] || "$PY" -m venv "$V2"
    "$V2/bin/pip" install --quiet --upgrade pip
    # eemeter 2.10.11 declares only click/pandas/statsmodels/scipy; it predates pandas 2 and numpy 2.
    "$V2/bin/pip" install --quiet "eemeter==2.10.11" "pandas>=1.5,<2" "numpy>=1.24,<2" "scipy>=1.10,<1.14" \
        "statsmodels>=0.14,<0.15" pytz
    "$V2/bin/python" -c "import eemeter; print('eemeter', eemeter.get_version())"
fi
if [ "$WHICH" = "4" ] || [ "$WHICH" = "all" ]; then
    V4="$HERE/../.venv-eemeter4"
    [ -x "$V4/bin/python" ] || "$PY" -m venv "$V4"
    "$V4/bin/pip" install --quiet --upgrade pip
    # eemeter 4.1.1 imports pytz without declaring it and fails on pandas 3 (Day offset vs Timedelta)
    "$V4/bin/pip" install --quiet "eemeter>=4,<5" pytz "pandas<3"
    "$V4/bin/python" -c "import importlib.metadata as m; print('eemeter', m.version('eemeter'))"
fi
