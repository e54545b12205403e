# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium nginx-light libfribidi0 libraqm0 fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
  postgresql apertium apertium-eng-spa transfuse
export PIPELINE_STATE_DIR ?= $(CURDIR)/.pipeline

.PHONY: install apt run test lint bench update-golden contact-sheet clean docs

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory apt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bench,postgres,ray]'
	@touch $(STAMP)

# Debian packages: chromium (web UI tests), nginx (crawl benchmark), FriBiDi/raqm (RTL card text), Noto fonts
# for every script the cards draw (pipeline/typeset/fonts.py says why Debian's and not PyPI's).
# postgresql: the store tests start a throwaway server of their own.
# apertium + apertium-eng-spa: the offline rule-based engine, so `make run` translates the example into Spanish.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "apt-get install$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (run as root or: sudo apt-get install$$missing)"; fi; \
	fi

run: install
	$(BIN)/pipeline run

lint: install
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -n 2 --timeout 600

bench: install
	$(BIN)/python bench/run_all.py

update-golden: install
	PIPELINE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -n 2 -q -k golden

# Every script's OG and X card on one PNG (test-artifacts/cards-contact-sheet.png): look at it after a change.
contact-sheet: install
	$(BIN)/python bench/contact_sheet.py

docs: install
	$(BIN)/python -m pipeline.docsgen

clean:
	rm -rf $(VENV) .pipeline reports _site .mypy_cache .ruff_cache .pytest_cache
