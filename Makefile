# Almanac: `make site` builds everything, `make test` runs the tests. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages, each as check:package; a check that starts with / is a file that must exist, else a command.
# APT_FILES: the printer's edition's CMYK profile, ISO Coated v2 300% (basICColor, FOGRA39), from scribus-data.
APT_FILES := /usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc:scribus-data
APT_TOOLS := pdffonts:poppler-utils qpdf:qpdf chromium:chromium java:default-jre-headless npm:npm msgfmt:gettext
# The Nu HTML Checker, pinned, installed by npm into .tools/ (git-ignored); it runs on Debian's Java.
VNU_VERSION := 26.9.27
VNU_DIR     := .tools/node_modules/vnu-jar
export NO_MKDOCS_2_WARNING := true

.PHONY: site serve test quality print status stamp diff export import new bench system-deps print-deps validators clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable ".[test,cluster]"
	touch $(STAMP)

## Build the whole site (all languages, indicator tables, charts, PDFs) into site/, strictly:
## any warning fails it. It builds into a temporary folder: a failed or interrupted build leaves site/ as it was.
site: $(STAMP) print-deps
	$(BIN)/almanac build

## One language of the site, as a shard for CI jobs that build the languages apart (see docs/ci-sharded.md):
## make shard LANG=en [SHARD_DIR=shards]. Strict and all or nothing, like make site; its PDFs included.
## LANG names the language here, so the build runs with the C.UTF-8 locale rather than a locale named "en".
shard: $(STAMP)
	LANG=C.UTF-8 $(BIN)/almanac build --shard "$(LANG)" --shard-dir "$(SHARD_DIR)"

## The site from the shards of every language in SHARD_DIR, all or nothing into site/: make assemble [SHARD_DIR=shards]
assemble: $(STAMP)
	$(BIN)/almanac assemble --shard-dir "$(SHARD_DIR)"

SHARD_DIR ?= shards
.PHONY: shard assemble

## Live preview for editors at http://127.0.0.1:8000: not strict, never stuck (PDFs are not rebuilt while serving).
## make serve PUB=<slug> LANG=<lang>: only that publication in that language (default ru), rebuilt within a second.
## LANG counts only on make's command line: the LANG of the environment is the terminal's locale.
serve: $(STAMP)
	$(BIN)/almanac serve $(if $(PUB),--publication "$(PUB)") \
	  $(if $(filter command line,$(origin LANG)),--language "$(LANG)")

## The printer's edition: PDF/X-4 in CMYK (FOGRA39) with 3 mm bleed and crop marks, in site-print/ (strict).
print: $(STAMP) print-deps
	$(BIN)/almanac print

## Translation status: publication x language x state, with word counts.
status: $(STAMP)
	$(BIN)/almanac status

## Record that translated FILES now match their source: make stamp FILES="content/x/01-a.en.md ..."
stamp: $(STAMP)
	$(BIN)/almanac stamp $(FILES)

## What changed in the source of a stale translation since it was stamped: make diff FILE=content/x/01-a.en.md
diff: $(STAMP)
	$(BIN)/almanac diff "$(FILE)"

## A chapter as a PO file for a CAT tool: make export FILE=content/x/01-a.md TO=en [OUT=file.po]
export: $(STAMP)
	$(BIN)/almanac export "$(FILE)" --language "$(TO)" $(if $(OUT),--output "$(OUT)")

## Write (and stamp) the translation a PO file holds: make import FILE=runpud-2021-2024.01-introduction.en.po
import: $(STAMP)
	$(BIN)/almanac import "$(FILE)"

## Scaffold a publication: make new SLUG=inpud-2030-2034 ORG=inpud KIND=strategic-plan TITLE="..." [FROM=2030 TO=2034]
new: $(STAMP)
	$(BIN)/almanac new --slug "$(SLUG)" --organisation "$(ORG)" --kind "$(or $(KIND),strategic-plan)" \
	  --title "$(TITLE)" $(if $(FROM),--start $(FROM)) $(if $(TO),--end $(TO))

## Benchmark at 1x, 10x and 50x the real content (synthetic libraries, bench/corpus.py): cold, warm, one edit,
## preview, memory, beside stock MkDocs, mkdocs-to-pdf and WeasyPrint alone; writes docs/benchmarks.md.
## About an hour on 2 cores with BENCH_ARGS="--runs 1 --pdf-peer-max-scale 1" (measured 2026-12-01); the defaults (3 rounds, mkdocs-to-pdf up to 10x) take several hours. It resumes at the first size not finished. Quick check: make bench BENCH_ARGS="--scales 1,2 --runs 1 --skip-pdf-peers"
## (the older single-size PDF benchmark is still there: $(BIN)/python bench/pdf_build.py).
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Run the tests (installs what they need first: Python packages and Debian tools).
test: $(STAMP) system-deps validators
	$(BIN)/python -m pytest $(if $(QUALITY_REPORT),--quality-report=$(QUALITY_REPORT))

## Exactly `make test`, then docs/quality.md from its figures (written only if every test passed).
quality: QUALITY_REPORT := docs/quality.md
quality: test

## The validators the tests run beyond Python packages: the Nu HTML Checker at VNU_VERSION.
## --ignore-scripts: vnu-jar's postinstall would download a JDK from GitHub; Debian's Java runs it.
validators: system-deps
	@grep -qs '"version": *"$(VNU_VERSION)"' $(VNU_DIR)/package.json && test -f $(VNU_DIR)/build/dist/vnu.jar || { \
	  echo "Installing vnu-jar $(VNU_VERSION) into .tools/"; \
	  npm install --prefix .tools --no-save --no-audit --no-fund --ignore-scripts --loglevel=error vnu-jar@$(VNU_VERSION) && \
	  test -f $(VNU_DIR)/build/dist/vnu.jar; }

system-deps: APT_NEEDED = $(APT_TOOLS) $(APT_FILES)
print-deps: APT_NEEDED = $(APT_FILES)
system-deps print-deps:
	@missing=""; for pair in $(APT_NEEDED); do check=$${pair%%:*}; pkg=$${pair##*:}; \
	  case "$$check" in /*) test -e "$$check" ;; *) command -v "$$check" >/dev/null 2>&1 ;; esac \
	    || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf site .site-tmp-* .site-print site-print .cache bench/work shards
