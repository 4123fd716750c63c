#!/usr/bin/env bash
# Creates .venv with the project and its dev dependencies, then compiles translations.
# uv is not on a fresh machine: it is bootstrapped with pip into .tools/; if that fails, pip does the job.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT=.venv

find_python() {
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  for candidate in "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  echo "Python 3.12 or newer is required (3.13 recommended)." >&2
  return 1
}

PY=$(find_python)
echo "install: using $PY ($("$PY" --version))"

UV=""
if command -v uv >/dev/null 2>&1; then
  UV=$(command -v uv)
elif [ -x .tools/bin/uv ]; then
  UV=.tools/bin/uv
elif "$PY" -m pip install --quiet --disable-pip-version-check --target .tools uv >/dev/null 2>&1 && [ -x .tools/bin/uv ]; then
  UV=.tools/bin/uv
fi

if [ -n "$UV" ]; then
  "$UV" sync --frozen --python "$PY" --quiet
else
  echo "install: uv unavailable, falling back to pip"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e . --group dev
fi

# Translations: .mo files are build output, compiled from the committed .po files.
(cd src/reintegra && ../../.venv/bin/reintegra compilemessages --verbosity 0)
echo "install: ready (.venv)"
