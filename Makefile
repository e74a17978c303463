# Confide: `make demo` runs the main job, `make test` installs what the tests need and runs them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
# Debian packages the tests need: chromium for the web pages, PortAudio for the mic source.
APT_PACKAGES := chromium libportaudio2
# Voices the anonymisation benchmark needs as distinct speakers (see benchmarks/anonymization.py).
APT_VOICES := flite festival festvox-kdlpc16k festvox-czech-dita festvox-czech-krb \
	festvox-czech-machac festvox-czech-ph festvox-suopuhe-lj festvox-suopuhe-mv festvox-italp16k \
	festvox-itapc16k festvox-ru festvox-ca-ona-hts
# Real music for the wake-word benchmark's negatives (see benchmarks/wakeword.py).
APT_MUSIC := extremetuxracer-data

.PHONY: install install-dev install-eval nlu-model apt apt-voices demo test lint typecheck pytest benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[tts]'
	$(MAKE) nlu-model
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) nlu-model
	touch $@ $(VENV)/.installed

# The default NLU model is trained from data inside the package, once per code and data version.
nlu-model:
	$(BIN)/confide understand "build the default model" > /dev/null

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Speaker verification for the anonymisation benchmark: resemblyzer on the CPU build of torch;
# the redaction benchmark's independent set: presidio-research's generator and names-dataset.
# resemblyzer pulls webrtcvad, which overwrites webrtcvad-wheels' module: reinstall it after.
$(VENV)/.installed-eval: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e '.[dev,eval,heldout,load]'
	$(BIN)/pip install --quiet --force-reinstall --no-deps webrtcvad-wheels
	touch $@

install-eval: $(VENV)/.installed-eval

apt-voices:
	$(MAKE) apt APT_PACKAGES="$(APT_VOICES) $(APT_MUSIC)"

apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: install
	$(BIN)/confide demo

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-dev
	$(BIN)/mypy

# axe-core, from the npm registry at the version package-lock.json pins: the browser tests inject
# it into each page to check its accessibility.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

pytest: install-dev apt node_modules/.installed
	$(BIN)/pytest -q --durations=30

test: lint typecheck pytest

benchmarks: install-eval apt apt-voices
	for script in wake_calibration wakeword asr asr_window nlu install_time ingest_throughput answer_latency endpointing \
			sealing erasure redaction public_names anonymization watermark learning load review_pace wyoming_asr; do \
		$(BIN)/python benchmarks/$$script.py || exit 1; \
	done
	$(BIN)/python benchmarks/collect.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
