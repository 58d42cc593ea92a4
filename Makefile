# Every target sets up what it needs: a fresh clone runs `make demo` or `make test` directly.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
EVAL_DATA_DIR ?= $(abspath ../shared/data)
export EVAL_DATA_DIR
export SAM_CLI_TELEMETRY := 0
# Lambda's runtime version, for `make build` and `make vocabulary`.
PYTHON312 ?= python3.12

.PHONY: demo test unit lint template build bench vocabulary install install-sam install-browser clean

$(VENV)/.installed: layers/core/requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# SAM CLI pins older boto3, pydantic and click, so it lives in its own venv.
$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli>=1.120"
	touch $@

install: $(VENV)/.installed

# The dashboard's browser test drives Debian's Chromium through Playwright's
# bundled driver; `playwright install` is never run, so no browser is downloaded.
install-browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "chromium not found: install Debian's chromium package (sudo apt-get install chromium)"; \
		fi; \
	fi

install-sam: $(SAM_VENV)/.installed

demo: install
	$(PY) main.py demo

test: install install-sam install-browser
	$(PY) -m pytest
	$(MAKE) --no-print-directory template

unit: install
	$(PY) -m pytest tests/unit

template: install install-sam
	$(VENV)/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/sam validate --lint --template-file template.yaml

# `sam build` needs the functions' runtime (python3.12) on PATH; PYTHON312 names
# it when it has another name or place. `sam build` ships no bytecode, so every
# cold start would compile every module: scripts/compile_build.py then writes
# bytecode that survives `sam deploy`'s packaging (docs/deploy.md).
build: install install-sam
	@$(PYTHON312) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1 || { \
		echo "PYTHON312=$(PYTHON312) is not a working Python 3.12, which sam build needs: install it or set PYTHON312=/path/to/python3.12"; \
		exit 2; }
	PATH="$$(dirname "$$(command -v $(PYTHON312))"):$$PATH" $(SAM_VENV)/bin/sam build
	$(PY) scripts/compile_build.py --python $(PYTHON312)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: install install-sam
	$(PY) benchmarks/classifier_latency.py
	$(PY) benchmarks/route_function.py
	$(PY) benchmarks/library_floor.py
	$(PY) benchmarks/package_cold_start.py --python $(PYTHON312)

# Regenerates router/vocabulary_compiled.py after a vocabulary edit, for this
# interpreter and for Lambda's python3.12.
vocabulary: install
	PYTHONPATH=layers/core $(PY) -m router.vocabulary_codegen --python $(PY) --python $(PYTHON312)

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache
