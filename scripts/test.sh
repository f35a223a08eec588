#!/usr/bin/env bash
# Set up a virtual environment with xuncha and its test dependencies, then run
# the whole test suite.  Works on a fresh machine (needs python3 >= 3.11).
# It installs Python packages into .venv only, never system packages: the
# browser test needs Debian's chromium, which .ci/run installs as a named step
# (elsewhere: sudo apt-get install -y chromium fonts-wqy-microhei); without it
# that test is skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
