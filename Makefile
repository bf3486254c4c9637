# The commands of README.md and docs/. Each sets up what it needs first (scripts/setup.sh).
.PHONY: report test docs bench lock messages

report:
	@scripts/setup.sh
	@.venv/bin/sitrep build

# The suite on every core (pytest-xdist, one worker per CPU; PYTEST_XDIST_AUTO_NUM_WORKERS=N sets
# how many where a container sees more CPUs than it may use), then the 15 slowest tests. A test
# file runs on one worker (--dist loadfile), so that a build its tests share is made once.
# Options in PYTEST_ARGS come last and win: PYTEST_ARGS="-k pdf -x -n0" runs in this one process.
test:
	@scripts/setup.sh --test
	@.venv/bin/python -m pytest -n auto --dist loadfile --durations=15 $(PYTEST_ARGS)

# The manual (docs/, README.md "The manual"): built into site/ by MkDocs from the test venv, offline;
# --strict: a broken link or anchor, or a page missing from mkdocs.yml's nav, fails the build (not
# with --quiet, which hides the warnings --strict counts).
docs:
	@scripts/setup.sh --test
	@NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir site
	@echo "The manual is in site/: open site/index.html"

# The benchmark (docs/performance.md): a few minutes; pass options with BENCH_ARGS="--sizes 70,1000"
# (BENCH_ARGS=--quick: a first look). The preview's goal drives headless chromium with the tests'
# DevTools client, so it sets up as `make test` does. It writes what it measured into docs/performance.md, between
# the markers there, so that every figure in the manual comes from one run.
bench:
	@scripts/setup.sh --test
	@.venv/bin/python bench/run.py --docs docs/performance.md $(BENCH_ARGS)

# Regenerate requirements.lock and requirements-test.lock, which scripts/setup.sh installs from
# (docs/install.md, "Locked installs"): every package to the newest release pyproject.toml allows.
# Then run `make test`, and commit the lock files on their own. LOCK_ARGS=--keep keeps every pin
# that still fits; LOCK_ARGS="--upgrade-package pyyaml" moves one package only.
lock:
	@scripts/lock.sh $(LOCK_ARGS)

# The interface's message catalogues (docs/languages.md, "The interface's messages"): extract every
# message of the code and templates into sitrep/locale/sitrep.pot, then add the new ones to each
# language's sitrep.po, untranslated, for a translator. A test fails while any is untranslated.
messages:
	@scripts/setup.sh
	@.venv/bin/pybabel -q extract -F babel.cfg -k NP_:1,2 -k pgettext:1c,2 --no-location --sort-output \
		--omit-header -o sitrep/locale/sitrep.pot .
	@.venv/bin/pybabel -q update -D sitrep -i sitrep/locale/sitrep.pot -d sitrep/locale --no-fuzzy-matching --ignore-pot-creation-date \
		--ignore-obsolete
