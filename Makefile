# Wenshu: `make demo` runs it on the demo model, `make test` runs every test.
# The cargo target directory lives outside the checkout so repeat builds
# (and CI runs on the same machine) reuse compiled llama.cpp.
CARGO_TARGET_DIR ?= $(HOME)/.cache/wenshu-target
export CARGO_TARGET_DIR
CARGO ?= cargo
WENSHU = $(CARGO_TARGET_DIR)/release/wenshu
SAMPLE_ZH = samples/press-release.zh-Hant.txt

DESKTOP = $(CARGO_TARGET_DIR)/release/wenshu-desktop

.PHONY: docx-corpus fuzz demo demo-instruct test deps app-deps model instruct-model build release bench bench-app lint deny ui ui-test app app-build e2e

deps:
	@scripts/install-deps

app-deps:
	@scripts/install-deps --app

model: deps
	@models/fetch-demo

## The instruct model (Qwen2.5-Coder-1.5B-Instruct, 1.1 GB, chat style): the
## recommended model for desktops without a GPU, and what the chat-style
## tests run on.
INSTRUCT = models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
instruct-model: deps
	@models/fetch-demo --instruct

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

## The same demo on the instruct model, in chat style.
demo-instruct: instruct-model release
	WENSHU_MODEL=$(CURDIR)/$(INSTRUCT) $(MAKE) --no-print-directory demo

## The desktop app (Tauri window, tray, Ctrl+Alt+S) on the demo model.
app: app-deps model ui
	$(CARGO) build --locked --release -p wenshu-desktop
	$(DESKTOP)

## The web UI: installed from the lock file, type-checked, built to ui/dist
## (which the desktop binary embeds).
ui: app-deps
	cd ui && npm ci --no-audit --no-fund && npm run check && npm run build

ui-test: ui
	cd ui && npm test

## Every test: core, CLI and documents against the real demo model, the
## desktop shell through Tauri's mock runtime, the UI's unit tests, then the
## built app end to end under Xvfb (screenshots in target/e2e/).
test: model instruct-model ui-test
	$(CARGO) test --locked --workspace -- --test-threads=2
	$(MAKE) --no-print-directory docx-corpus
	scripts/e2e $(CARGO_TARGET_DIR)/debug/wenshu-desktop

## Fuzz the readers of untrusted files (.docx, .md, .txt, .pdf, GGUF headers)
## with cargo-fuzz (nightly, AddressSanitizer), FUZZ_SECONDS per target;
## crashes are saved in fuzz/artifacts/. The build is cached in
## ~/.cache/wenshu-fuzz-target.
FUZZ_SECONDS ?= 30
fuzz:
	scripts/fuzz $(FUZZ_SECONDS)

## Real-world Word files (a pinned corpus from permissively licensed
## packages): each read, written back unchanged and pseudo-translated, with
## entries, blocks, links, fields, content controls, breaks, tabs and note
## marks compared; then LibreOffice must open every output whose input it
## opens. Uses the debug build `cargo test` made.
CORPUS ?= $(HOME)/.cache/wenshu-corpus/docx
CORPUS_OUT = $(CARGO_TARGET_DIR)/docx-corpus-out
docx-corpus:
	scripts/docx-corpus install
	scripts/docx-corpus fetch $(CORPUS)
	$(CARGO) build --locked
	rm -rf $(CORPUS_OUT)
	$(CARGO_TARGET_DIR)/debug/wenshu bench docs --corpus $(CORPUS) --out $(CORPUS_OUT)
	scripts/docx-corpus libreoffice $(CORPUS) $(CORPUS_OUT)

e2e: model ui
	$(CARGO) build --locked -p wenshu-desktop
	scripts/e2e $(CARGO_TARGET_DIR)/debug/wenshu-desktop

bench: model release
	$(WENSHU) bench

## Idle memory and launch-to-interactive time of the desktop app.
bench-app: model ui
	$(CARGO) build --locked --release -p wenshu-desktop
	scripts/bench-app $(DESKTOP)

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

deny:
	$(CARGO) deny --locked check licenses bans sources
