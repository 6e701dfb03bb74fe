# Wenshu: `make demo` runs it on the demo model, `make test` runs every test.
# The cargo target directory lives outside the checkout so repeat builds
# (and CI runs on the same machine) reuse compiled llama.cpp.
CARGO_TARGET_DIR ?= $(HOME)/.cache/wenshu-target
export CARGO_TARGET_DIR
CARGO ?= cargo
WENSHU = $(CARGO_TARGET_DIR)/release/wenshu
SAMPLE_ZH = samples/press-release.zh-Hant.txt

.PHONY: demo test deps model build release bench lint deny

deps:
	@scripts/install-deps

model: deps
	@models/fetch-demo

build: deps
	$(CARGO) build --locked

release: deps
	$(CARGO) build --locked --release

## The main job on the demo model: a key-point summary in Traditional Chinese
## and an English translation of a sample press release, streamed.
demo: model release
	@echo "== 摘要 key points (zh-Hant) of $(SAMPLE_ZH) =="
	$(WENSHU) summarise $(SAMPLE_ZH) --to zh-Hant
	@echo
	@echo "== English translation of $(SAMPLE_ZH) =="
	$(WENSHU) translate $(SAMPLE_ZH) --to en

## Every test, including those that load the real demo model.
test: model
	$(CARGO) test --locked --workspace -- --test-threads=2

bench: model release
	$(WENSHU) bench

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

deny:
	$(CARGO) deny --locked check licenses bans sources
