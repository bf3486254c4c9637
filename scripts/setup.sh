#!/usr/bin/env bash
# Sets up everything sitrep needs on a fresh Debian machine, idempotently:
#   system libraries (Pango for WeasyPrint; poppler-utils, chromium and HarfBuzz's subsetter for tests),
#   a virtual environment in .venv, and the package (editable) with its test tools.
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
  # chromium: Debian's browser, run headless by tests/test_serve.py to watch `sitrep serve` reload.
  need_pkgs+=(poppler-utils chromium)
fi

missing=()
for pkg in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
    echo "sitrep setup: please install these Debian packages: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "sitrep setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi

# Reinstall only when the project's metadata changed since the last install.
stamp=.venv/.sitrep-installed
test_stamp=.venv/.sitrep-test-installed
want_tests=no
[[ "${1:-}" == "--test" ]] && want_tests=yes
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]] || [[ $want_tests == yes && ( ! -f $test_stamp || pyproject.toml -nt $test_stamp ) ]]; then
  if [[ $want_tests == yes ]]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
    touch "$stamp" "$test_stamp"
  else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
    touch "$stamp"
  fi
fi
exit 0
