#!/usr/bin/env bash
# Set up a virtual environment with xuncha and its test dependencies, then run
# the whole test suite.  Works on a fresh machine (needs python3 >= 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
