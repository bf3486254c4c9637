# The commands of README.md. Each sets up what it needs first (scripts/setup.sh).
.PHONY: report test bench

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
