# Shared by scripts/app and scripts/test: make .venv with Python 3.11+ and install hiap into it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="$cand"; break
  fi
done
if [ -z "$PY" ]; then
  echo "hiap needs Python 3.11 or newer: install it (e.g. apt-get install python3) and run this again." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Install only when something the install depends on changed: the dependency list
# (pyproject.toml), the Python version and the extras. hiap itself is an editable install, so
# code changes need no reinstall, and a restart of the app takes seconds.
STAMP_FILE=.venv/.hiap-install-stamp
STAMP="$(cat pyproject.toml; .venv/bin/python -c 'import sys; print(sys.version)'; echo "extras=${HIAP_EXTRAS:-test} bytecode=1")"
STAMP="$(printf '%s' "$STAMP" | sha256sum | cut -d' ' -f1)"
if [ "${HIAP_REINSTALL:-0}" = 1 ] || [ ! -f "$STAMP_FILE" ] || [ "$(cat "$STAMP_FILE")" != "$STAMP" ]; then
  # uv resolves and installs the geospatial stack in seconds rather than minutes.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"
  # Compiled bytecode, written once here: uv leaves it to the first import, which cannot
  # write it where PYTHONDONTWRITEBYTECODE is set (usual in containers) or the venv is
  # read-only, and then every `hiap` command and app start compiles pandas, geopandas and the
  # rest from source again (about 6 of 9 s of `hiap data status` on a loaded machine).
  .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -e ".[${HIAP_EXTRAS:-test}]"
  # uv compiles what it installs; this catches packages an older run installed uncompiled
  # (it skips files already compiled; a few test files of other packages do not compile)
  .venv/bin/python -m compileall -qq -j 0 .venv/lib/python3*/site-packages >/dev/null 2>&1 || true
  echo "$STAMP" > "$STAMP_FILE"
fi
