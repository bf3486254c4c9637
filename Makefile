# The commands of README.md. Each sets up what it needs first (scripts/setup.sh).
.PHONY: report test bench lock

report:
	@scripts/setup.sh
	@.venv/bin/sitrep build

test:
	@scripts/setup.sh --test
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

# The benchmark (README.md, "Performance"): a few minutes; pass options with BENCH_ARGS="--sizes 70,1000".
bench:
	@scripts/setup.sh
	@.venv/bin/python bench/run.py $(BENCH_ARGS)

# Regenerate requirements.lock and requirements-test.lock, which scripts/setup.sh installs from
# (README.md, "Locked installs"): every package to the newest release pyproject.toml allows.
# Then run `make test`, and commit the lock files on their own. LOCK_ARGS=--keep keeps every pin
# that still fits; LOCK_ARGS="--upgrade-package pyyaml" moves one package only.
lock:
	@scripts/lock.sh $(LOCK_ARGS)
