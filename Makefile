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

BASELINE := bench/baseline
SUBPATH_DIST := $(CURDIR)/target/dist-subpath
PAGES_WORKFLOW := .github/workflows/pages.yml

.PHONY: help setup serve test lint test-native test-browser test-e2e test-validators site cli \
	test-e2e-subpath test-pages-workflow baseline generator-only sizes test-budget bench

help:
	@echo "make serve   install what is missing, serve the app on http://127.0.0.1:8080"
	@echo "make test    install what is missing, run every test"
	@echo "make bench   sizes, where the wasm bytes go, load and keystroke times, native generate time, Lighthouse (one table)"

setup:
	@scripts/setup

## serve: the app with live reload on http://127.0.0.1:8080
serve: setup
	trunk serve

## test: every test, as CI runs it
test: setup lint test-native test-browser test-e2e test-budget test-e2e-subpath test-pages-workflow test-validators
	@echo "make test: all suites passed"

## lint: formatting and clippy, for the native and the wasm32 target
lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy $(WASM) --workspace --all-targets --locked -- -D warnings

## test-native: unit, snapshot and property tests of keyless-core. shellcheck comes from
## .venv (scripts/setup-python, run by `make setup`) and is required: without it the
## shellcheck test fails rather than skips.
test-native:
	PATH="$(CURDIR)/.venv/bin:$$PATH" KEYLESS_REQUIRE_SHELLCHECK=1 cargo test --workspace --locked

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

## test-e2e-subpath: the end-to-end tests against a build for the sub-path /keyless/
## (as GitHub Pages serves a project site), served under that sub-path
test-e2e-subpath: cli
	trunk build --release --public-url /keyless/ --dist $(SUBPATH_DIST)
	KEYLESS_DIST=$(SUBPATH_DIST) KEYLESS_PUBLIC_URL=/keyless/ \
		node --test --test-reporter=spec tests/e2e/wizard.test.mjs tests/e2e/offline.test.mjs

## test-pages-workflow: the site's own GitHub Pages workflow through actionlint and zizmor,
## every action pinned to a full commit SHA with its version in a comment
test-pages-workflow:
	.venv/bin/actionlint -no-color -oneline -shellcheck .venv/bin/shellcheck -pyflakes= $(PAGES_WORKFLOW)
	.venv/bin/zizmor --offline --no-config --no-progress --color=never --persona=pedantic $(PAGES_WORKFLOW)
	@unpinned=$$(grep -nE '^[[:space:]]*(-[[:space:]]+)?uses:' $(PAGES_WORKFLOW) \
		| grep -vE 'uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$$' || true); \
	if [ -n "$$unpinned" ]; then echo "$(PAGES_WORKFLOW): not pinned to a full SHA with a version comment:"; echo "$$unpinned"; exit 1; fi

## baseline: the bare Leptos "hello" app the benchmark compares with, in bench/baseline/dist/
## The baseline is built without the page's `--cfg erase_components` (.cargo/config.toml):
## that is a size choice of this app, and it makes a bare hello app bigger, not smaller.
## An empty RUSTFLAGS replaces the config's rustflags.
baseline: target/.bench-baseline-fetch
	cd $(BASELINE) && RUSTFLAGS= trunk build --release

# Trunk runs cargo offline: the baseline's crates must be in the local cache first.
target/.bench-baseline-fetch: $(BASELINE)/Cargo.lock
	cargo fetch --locked --manifest-path $(BASELINE)/Cargo.toml
	@mkdir -p target && touch $@

## generator-only: keyless-core alone in a wasm (bench/generator-only), same profile and
## wasm-opt level as the page: the part of the page's size that is the generator
GENERATOR_ONLY := bench/generator-only
GENERATOR_ONLY_OUT := target/bench/generator-only
generator-only:
	RUSTFLAGS= cargo build --locked --release --target wasm32-unknown-unknown \
		--manifest-path $(GENERATOR_ONLY)/Cargo.toml
	wasm-bindgen --target web --out-dir $(GENERATOR_ONLY_OUT) \
		$(GENERATOR_ONLY)/target/wasm32-unknown-unknown/release/keyless_bench_generator_only.wasm
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
		$(GENERATOR_ONLY_OUT)/keyless_bench_generator_only_bg.wasm \
		-o $(GENERATOR_ONLY_OUT)/keyless_bench_generator_only_bg.wasm

## sizes: builds the app and the baseline, measures what each page loads (raw, gzip, brotli)
## into target/bench/sizes.json
sizes: setup site baseline generator-only
	node bench/sizes.mjs

## test-budget: the page's gzip transfer and the generator alone within bench/budget.json
## (200,000 and 100,000 bytes, or what was measured plus 2%); a failure names what grew,
## by kind of file and, with twiggy (setup-bench), by crate and module
test-budget: setup-bench site generator-only
	node --test --test-reporter=spec bench/budget.test.mjs

## setup-bench: what the bench needs beyond setup: twiggy 0.7.0 (crates.io, pinned)
.PHONY: setup-bench twiggy
setup-bench:
	@scripts/setup-bench

## twiggy: where the wasm's bytes go, by crate and by our module, for the app and the
## generator alone (bench/twiggy.mjs; analysis copies with names in target/bench/twiggy/)
twiggy: setup setup-bench site generator-only
	node bench/twiggy.mjs

## bench: sizes, where the wasm's bytes go (twiggy), navigation-to-interactive and
## keystroke-to-preview times in Chromium, native generate time (criterion), Lighthouse
## (mobile 3 times, desktop once); one table, target/bench/results.json
bench: setup setup-bench site baseline generator-only
	cargo bench --locked -p keyless-core --bench generate -- --warm-up-time 1 --measurement-time 3
	node bench/run.mjs
