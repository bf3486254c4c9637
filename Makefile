# The two commands of README.md. Each sets up what it needs first (scripts/setup.sh).
.PHONY: report test

report:
	@scripts/setup.sh
	@.venv/bin/sitrep build

test:
	@scripts/setup.sh --test
	@.venv/bin/python -m pytest $(PYTEST_ARGS)
