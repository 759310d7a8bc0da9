#!/bin/sh
# Create benchmarks/.venv-peers and install the BSM1 peers (EXPOsan/QSDsan) there.
# Usage: benchmarks/peers/setup.sh [python]   (default python3.11); run from anywhere.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VENV="$HERE/../.venv-peers"
PY=${1:-python3.11}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -r "$HERE/requirements.txt" -c "$HERE/constraints.txt"
"$VENV/bin/python" -c "import exposan.bsm1, qsdsan; print('peers installed: qsdsan', qsdsan.__version__)"
