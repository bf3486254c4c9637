#!/usr/bin/env bash
# Regenerates the lock files that scripts/setup.sh installs from (`make lock`; docs/install.md, "Locked installs"):
#   requirements-test.lock  for `make test`: the runtime, the `test` extra and the build backend
#   requirements.lock       for `make report`: the runtime and the build backend, at the same versions
#   requirements-pip.lock   pip itself, installed first into .venv (older pips refuse the other two)
# Each package is pinned to one version, with the hashes of all its published files, for
# Python 3.11 on Linux. Upgrading is deliberate: run this, then `make test`, and commit the lock
# files on their own.
# Usage: scripts/lock.sh            every package to the newest release that pyproject.toml allows
#        scripts/lock.sh --keep     keep every pin that still fits (after an edit of pyproject.toml)
#        scripts/lock.sh --upgrade-package pyyaml    (any `uv pip compile` options) one package only
set -euo pipefail
cd "$(dirname "$0")/.."

# The tool: uv's pip-compatible compiler, pinned, in a throwaway venv (never in .venv).
LOCK_TOOL=uv==0.13.8

args=("$@")
if ((${#args[@]} == 0)); then
  args=(--upgrade)
elif [[ ${args[0]} == --keep ]]; then
  args=("${args[@]:1}")
fi

PYTHON=${PYTHON:-python3}
tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
"$PYTHON" -m venv "$tool"
"$tool/bin/python" -m pip install -q --disable-pip-version-check "$LOCK_TOOL"

# The build backend is locked too, so that `pip install --no-build-isolation -e .` fetches
# nothing: pyproject.toml's [build-system] requires, and `editables`, which hatchling's
# editable-install hook asks for (and imports).
build_requires() {
  "$tool/bin/python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))'
  echo editables
}

compile=("$tool/bin/uv" --no-config pip compile --quiet --generate-hashes
         --python-version 3.11 --python-platform linux --custom-compile-command "make lock")
build_requires | "${compile[@]}" pyproject.toml - --extra test --extra docs "${args[@]}" -o requirements-test.lock
# The runtime lock is a subset of the test lock, at its versions.
build_requires | "${compile[@]}" pyproject.toml - -c requirements-test.lock -o requirements.lock

# pip itself, which setup.sh installs first: the pip a new venv of Python 3.11 gets (23.0.1 on
# Debian 12, 23.2.1 from python.org) refuses a hash-checked lock in which a package asks for an
# extra of another (weasyprint wants fonttools[woff]); every pip from 24 on accepts it.
echo pip | "${compile[@]}" - "${args[@]}" -o requirements-pip.lock

echo "lock: wrote requirements-pip.lock, requirements-test.lock and requirements.lock; now run make test, then commit them on their own" >&2
