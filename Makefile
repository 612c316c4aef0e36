# netops: two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM_PACKAGES := snmpd snmp lldpd openssh-server openssh-client iproute2 fping nftables openssl util-linux chromium chromium-driver
PYTEST_ARGS ?=
# The suite runs in two parts: everything but the tests marked `timing` in PYTEST_WORKERS xdist
# workers (a test file whole on one; about 9 minutes on two cores instead of ~28 one by one), then
# the `timing` tests (wall-clock deadlines: takeover, restart gaps, dead-node deadlines) alone,
# so the load of the parallel part cannot make them flake. PYTEST_WORKERS=0 runs the first part
# one by one too.
PYTEST_WORKERS ?= 3

.PHONY: run test lint typecheck importlint unit system-deps clean bench help

help:
	@echo "make run    - start netops (the demo network when no inventory was imported)"
	@echo "make test   - lint, type-check, import contracts and the whole test suite"
	@echo "make bench  - run the benchmarks under benchmarks/"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The real-software tests need net-snmp, lldpd, sshd and chromium; install them when missing
# and we are root on Debian. Otherwise those tests skip with a reason.
system-deps:
	@missing=""; \
	for b in /usr/sbin/snmpd /usr/bin/snmpbulkwalk /usr/sbin/lldpd /usr/sbin/sshd /usr/bin/chromium /usr/bin/chromedriver /usr/bin/fping /usr/sbin/nft; do \
	  [ -x $$b ] || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages for the real-software tests (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "not root or no apt-get: tests that need$$missing will skip"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check collectors inventory netops topology web cli simulator tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

importlint: $(STAMP)
	$(BIN)/lint-imports

test: system-deps $(STAMP) lint typecheck importlint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not timing" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m timing $(PYTEST_ARGS)

run: $(STAMP)
	$(BIN)/netops start

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
