# Almanac: `make site` builds everything, `make test` runs the tests. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_TOOLS := pdffonts:poppler-utils qpdf:qpdf chromium:chromium java:default-jre-headless npm:npm
# The Nu HTML Checker, pinned, installed by npm into .tools/ (git-ignored); it runs on Debian's Java.
VNU_VERSION := 26.9.27
VNU_DIR     := .tools/node_modules/vnu-jar
export NO_MKDOCS_2_WARNING := true

.PHONY: site serve test quality print status stamp new bench system-deps validators clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable ".[test,cluster]"
	touch $(STAMP)

## Build the whole site (all languages, indicator tables, charts, PDFs) into site/, strictly:
## any warning fails it. It builds into a temporary folder: a failed or interrupted build leaves site/ as it was.
site: $(STAMP)
	$(BIN)/almanac build

## Live preview for editors at http://127.0.0.1:8000: not strict, never stuck (PDFs are not rebuilt while serving).
serve: $(STAMP)
	$(BIN)/almanac serve

## The printer's edition: PDFs with 3 mm bleed and crop marks, in site-print/ (strict, like make site).
print: $(STAMP)
	$(BIN)/almanac print

## Translation status: publication x language x state, with word counts.
status: $(STAMP)
	$(BIN)/almanac status

## Record that translated FILES now match their source: make stamp FILES="content/x/01-a.en.md ..."
stamp: $(STAMP)
	$(BIN)/almanac stamp $(FILES)

## Scaffold a publication: make new SLUG=inpud-2030-2034 ORG=inpud KIND=strategic-plan TITLE="..." [FROM=2030 TO=2034]
new: $(STAMP)
	$(BIN)/almanac new --slug "$(SLUG)" --organisation "$(ORG)" --kind "$(or $(KIND),strategic-plan)" \
	  --title "$(TITLE)" $(if $(FROM),--start $(FROM)) $(if $(TO),--end $(TO))

## Benchmark: cold and warm builds with PDFs, beside mkdocs-to-pdf; results go to docs/benchmarks/.
bench: $(STAMP)
	$(BIN)/python bench/pdf_build.py

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

system-deps:
	@missing=""; for pair in $(APT_TOOLS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf site .site-tmp-* .site-print site-print .cache bench/work
