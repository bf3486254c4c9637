#!/usr/bin/env bash
# Sets up everything sitrep needs on a fresh Debian machine, idempotently:
#   system libraries (Pango for WeasyPrint; poppler-utils, chromium and HarfBuzz's subsetter for tests),
#   a virtual environment in .venv, pip itself from requirements-pip.lock, the locked Python packages (requirements.lock, or with --test
#   requirements-test.lock: exact versions, hash-checked; `make lock` regenerates them), and the
#   package itself (editable).
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
  # chromium: Debian's browser, run headless by tests/commands/test_serve.py to watch `sitrep serve` reload.
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

# Install from the lock file: every package at its locked version and checked against its hashes
# (the build backend included), then sitrep itself, with nothing more fetched. Reinstall only when
# a lock file or pyproject.toml changed since the last install: the stamp holds their checksums.
if [[ "${1:-}" == "--test" ]]; then
  lock=requirements-test.lock stamp=.venv/.sitrep-test-installed
else
  lock=requirements.lock stamp=.venv/.sitrep-installed
fi
want=$(sha256sum requirements-pip.lock "$lock" pyproject.toml)
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  pip=(.venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes)
  failed() {
    echo "sitrep setup: $1 failed (pip's message is above). Check that PyPI is reachable, then start again from a new environment: rm -rf .venv && make ${2}" >&2
    exit 1
  }
  target=report; [[ $lock == requirements-test.lock ]] && target=test
  # pip first, from its own lock: the pip a new venv of Python 3.11 gets (23.0.1 on Debian 12,
  # 23.2.1 from python.org) refuses the package lock ("all requirements must have their versions
  # pinned with ==": weasyprint asks for fonttools[woff], and old pip does not see the pin).
  echo "sitrep setup: installing the Python packages of $lock into .venv" >&2
  "${pip[@]}" -r requirements-pip.lock || failed "installing pip from requirements-pip.lock" "$target"
  "${pip[@]}" -r "$lock" || failed "installing the packages of $lock" "$target"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . \
    || failed "installing sitrep itself" "$target"
  echo "$want" > "$stamp"
  if [[ $lock == requirements-test.lock ]]; then
    # The test lock holds every package of the runtime lock, at the same versions.
    sha256sum requirements-pip.lock requirements.lock pyproject.toml > .venv/.sitrep-installed
  fi
fi
exit 0
