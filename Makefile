# Keyless: the two commands of the README are `make serve` and `make test`.
# Each first runs scripts/setup, which installs only what is missing.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER := /usr/bin/chromedriver
export CARGO_TERM_COLOR := never

WASM := --target wasm32-unknown-unknown

.PHONY: help setup serve test lint test-native test-browser test-e2e test-validators site cli

help:
	@echo "make serve   install what is missing, serve the app on http://127.0.0.1:8080"
	@echo "make test    install what is missing, run every test"

setup:
	@scripts/setup

## serve: the app with live reload on http://127.0.0.1:8080
serve: setup
	trunk serve

## test: every test, as CI runs it
test: setup lint test-native test-browser test-e2e test-validators
	@echo "make test: all suites passed"

## lint: formatting and clippy, for the native and the wasm32 target
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy $(WASM) --workspace --all-targets --locked -- -D warnings

## test-native: unit, snapshot and property tests of keyless-core
test-native:
	cargo test --workspace --locked

## test-browser: component tests in headless Chromium (wasm-bindgen-test)
test-browser:
	cargo test $(WASM) -p keyless-web --locked

## site: the release build of the site in dist/
site:
	trunk build --release

## cli: the keyless command line the end-to-end tests compare against
cli:
	cargo build --locked -p keyless-core --bin keyless

## test-e2e: the built site served on 127.0.0.1 and driven in headless Chromium
test-e2e: site cli
	node --test --test-reporter=spec tests/e2e/

## test-validators: every artifact through actionlint, zizmor, the AWS model, parliament and moto
test-validators:
	validators/run
