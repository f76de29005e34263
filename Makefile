# Almanac: `make site` builds everything, `make test` runs the tests. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages, each as check:package; a check that starts with / is a file that must exist, one that
# starts with lib a shared library the dynamic linker must know, else a command.
# APT_FILES: the printer's edition's CMYK profile, ISO Coated v2 300% (basICColor, FOGRA39), from scribus-data,
# and WeasyPrint's system libraries (pip installs WeasyPrint on a slim Debian, whose import then fails).
APT_FILES := /usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc:scribus-data \
  libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libharfbuzz-subset.so.0:libharfbuzz-subset0
# node (nodejs, which npm also brings) runs the Kazakh search stemmer in tests/test_search.py.
APT_TOOLS := pdffonts:poppler-utils qpdf:qpdf chromium:chromium java:default-jre-headless npm:npm node:nodejs msgfmt:gettext
# nginx (and its brotli_static module) serves the built site with docs/nginx.conf in tests/test_hosting.py.
APT_TOOLS += /usr/sbin/nginx:nginx-light /usr/share/nginx/modules/ngx_http_brotli_static_module.so:libnginx-mod-http-brotli-static
# The Nu HTML Checker, pinned, installed by npm into .tools/ (git-ignored); it runs on Debian's Java.
VNU_VERSION := 26.9.27
VNU_DIR     := .tools/node_modules/vnu-jar
# Lighthouse, pinned (13 needs Node 22; Debian 12 has 18), for its scores behind nginx in make test-all/quality.
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE_DIR     := .tools/node_modules/lighthouse
export NO_MKDOCS_2_WARNING := true

# What users type (TITLE, FILE, SLUG, ...) reaches the program as it was typed, never as part of a shell line:
# each target exports it as ARG_<NAME> (make's $(value) keeps a `$` as it is) and its recipe says "$$ARG_<NAME>",
# which the shell expands without reading quotes, backticks or `$(...)` inside it. A list (FILES, BENCH_ARGS)
# is split at spaces with `set -f`, so no word of it is a file pattern either.

.PHONY: site serve test test-all quality print status stamp diff export import new bench system-deps print-deps validators clean

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
shard: export ARG_LANG = $(value LANG)
shard: export ARG_SHARD_DIR = $(value SHARD_DIR)
shard: $(STAMP)
	LANG=C.UTF-8 $(BIN)/almanac build --shard "$$ARG_LANG" --shard-dir "$$ARG_SHARD_DIR"

## The site from the shards of every language in SHARD_DIR, all or nothing into site/: make assemble [SHARD_DIR=shards]
assemble: export ARG_SHARD_DIR = $(value SHARD_DIR)
assemble: $(STAMP)
	$(BIN)/almanac assemble --shard-dir "$$ARG_SHARD_DIR"

SHARD_DIR ?= shards
.PHONY: shard assemble

## Live preview for editors at http://127.0.0.1:8000: not strict, never stuck (PDFs are not rebuilt while serving).
## make serve PUB=<slug> LANG=<lang>: only that publication in that language (default ru), rebuilt within a second.
## LANG counts only on make's command line: the LANG of the environment is the terminal's locale.
serve: export ARG_PUB = $(value PUB)
serve: export ARG_LANG = $(value LANG)
serve: $(STAMP)
	$(BIN)/almanac serve $(if $(value PUB),--publication "$$ARG_PUB") \
	  $(if $(filter command line,$(origin LANG)),--language "$$ARG_LANG")

## The printer's edition: PDF/X-4 in CMYK (FOGRA39) with 3 mm bleed and crop marks, in site-print/ (strict).
print: $(STAMP) print-deps
	$(BIN)/almanac print

## Translation status: publication x language x state, with word counts.
status: $(STAMP)
	$(BIN)/almanac status

## Record that translated FILES now match their source: make stamp FILES="content/x/01-a.en.md ..."
stamp: export ARG_FILES = $(value FILES)
stamp: $(STAMP)
	set -f; $(BIN)/almanac stamp $$ARG_FILES

## What changed in the source of a stale translation since it was stamped: make diff FILE=content/x/01-a.en.md
diff: export ARG_FILE = $(value FILE)
diff: $(STAMP)
	$(BIN)/almanac diff "$$ARG_FILE"

## A chapter as a PO or XLIFF file for a CAT tool: make export FILE=content/x/01-a.md TO=en [OUT=file.po] [FORMAT=xliff]
export: export ARG_FILE = $(value FILE)
export: export ARG_TO = $(value TO)
export: export ARG_OUT = $(value OUT)
export: export ARG_FORMAT = $(value FORMAT)
export: $(STAMP)
	$(BIN)/almanac export "$$ARG_FILE" --language "$$ARG_TO" $(if $(value OUT),--output "$$ARG_OUT") \
		$(if $(value FORMAT),--format "$$ARG_FORMAT")

## Write (and stamp) the translation a PO or XLIFF (.xlf) file holds: make import FILE=runpud-2021-2024.01-introduction.en.po
import: export ARG_FILE = $(value FILE)
import: $(STAMP)
	$(BIN)/almanac import "$$ARG_FILE"

## Scaffold a publication: make new SLUG=inpud-2030-2034 ORG=inpud KIND=strategic-plan TITLE="..." [FROM=2030 TO=2034]
## TITLE is written as typed: quotes, `$`, backticks and backslashes included.
new: export ARG_SLUG = $(value SLUG)
new: export ARG_ORG = $(value ORG)
new: export ARG_KIND = $(or $(value KIND),strategic-plan)
new: export ARG_TITLE = $(value TITLE)
new: export ARG_FROM = $(value FROM)
new: export ARG_TO = $(value TO)
new: $(STAMP)
	$(BIN)/almanac new --slug "$$ARG_SLUG" --organisation "$$ARG_ORG" --kind "$$ARG_KIND" --title "$$ARG_TITLE" \
	  $(if $(value FROM),--start "$$ARG_FROM") $(if $(value TO),--end "$$ARG_TO")

## Benchmark at 1x, 10x, 20x and 50x the real content (synthetic libraries, bench/corpus.py), for the targets of issue 22:
## site only, cold, warm, one edit, the scoped preview and the whole-site serve, memory, the largest chapter page, growth,
## PDF throughput, and a build on a Dask LocalCluster (at 1x), beside stock MkDocs, mkdocs-to-pdf (at 1x) and WeasyPrint
## alone; writes docs/benchmarks.md. The budget is about an hour on 2 cores with BENCH_ARGS="--runs 1 --skip-pdf-peers"
## once the build meets those targets (stock alone takes about 150 s a build at 50x); with the build of 2026-12-01, 50x
## alone took longer (an 18-minute cold build). The default 3 rounds take about three times as long. It resumes at the
## first size not finished. Quick check: make bench BENCH_ARGS="--scales 1,2 --runs 1 --skip-pdf-peers --trial"
## (the older single-size PDF benchmark is still there: $(BIN)/python bench/pdf_build.py).
bench: export ARG_BENCH_ARGS = $(value BENCH_ARGS)
bench: $(STAMP)
	set -f; $(BIN)/python bench/run.py $$ARG_BENCH_ARGS

## Run the tests a developer runs often, on every core (installs what they need first: Python packages and
## Debian tools). Tests marked slow (whole builds of their own) are left to `make test-all`.
test: $(STAMP) system-deps validators
	$(BIN)/python -m pytest -m "not slow"

## Every test, the slow ones included, on every core: what CI runs (.ci/run).
test-all: export ARG_QUALITY_REPORT = $(value QUALITY_REPORT)
test-all: $(STAMP) system-deps validators
	$(BIN)/python -m pytest $(if $(value QUALITY_REPORT),--quality-report="$$ARG_QUALITY_REPORT")

## Exactly `make test-all`, then docs/quality.md from its figures (written only if every test passed).
quality: QUALITY_REPORT := docs/quality.md
quality: test-all

## The validators the tests run beyond Python packages: the Nu HTML Checker at VNU_VERSION and Lighthouse at
## LIGHTHOUSE_VERSION, in one npm install (a second --no-save install would prune the first's package).
## --ignore-scripts: vnu-jar's postinstall would download a JDK from GitHub; Debian's Java runs it.
validators: system-deps
	@grep -qs '"version": *"$(VNU_VERSION)"' $(VNU_DIR)/package.json && test -f $(VNU_DIR)/build/dist/vnu.jar && \
	  grep -qs '"version": *"$(LIGHTHOUSE_VERSION)"' $(LIGHTHOUSE_DIR)/package.json || { \
	  echo "Installing vnu-jar $(VNU_VERSION) and lighthouse $(LIGHTHOUSE_VERSION) into .tools/"; \
	  npm install --prefix .tools --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
	    vnu-jar@$(VNU_VERSION) lighthouse@$(LIGHTHOUSE_VERSION) && \
	  test -f $(VNU_DIR)/build/dist/vnu.jar && test -f $(LIGHTHOUSE_DIR)/cli/index.js; }

system-deps: APT_NEEDED = $(APT_TOOLS) $(APT_FILES)
print-deps: APT_NEEDED = $(APT_FILES)
system-deps print-deps:
	@missing=""; for pair in $(APT_NEEDED); do check=$${pair%%:*}; pkg=$${pair##*:}; \
	  case "$$check" in /*) test -e "$$check" ;; lib*) ldconfig -p 2>/dev/null | grep -qF "$$check " ;; \
	    *) command -v "$$check" >/dev/null 2>&1 ;; esac \
	    || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf site .site-tmp-* .site-print site-print .cache bench/work shards
