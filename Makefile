# Almanac: `make site` builds everything, `make test` runs the tests. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_TOOLS := pdffonts:poppler-utils qpdf:qpdf chromium:chromium
export PYTHONPATH := hooks
export NO_MKDOCS_2_WARNING := true

.PHONY: site serve test print status stamp new bench system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ".[test]"
	touch $(STAMP)

## Build the whole site (all languages, indicator tables, charts, PDFs) into site/.
## The build goes to a temporary folder first: a failed build leaves site/ as it was.
site: $(STAMP)
	rm -rf .site-tmp
	$(BIN)/mkdocs build --strict --quiet --site-dir .site-tmp || { rm -rf .site-tmp; exit 1; }
	rm -rf .site-old; if [ -d site ]; then mv site .site-old; fi; mv .site-tmp site; rm -rf .site-old
	@echo "Built site/ (open site/index.html, or run 'make serve')."

## Live preview for editors at http://127.0.0.1:8000 (PDFs are not rebuilt while serving).
serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload

## The printer's edition: PDFs with 3 mm bleed and crop marks, in site-print/.
print: $(STAMP)
	rm -rf .site-print-tmp
	ALMANAC_PRINT_EDITION=1 $(BIN)/mkdocs build --quiet --site-dir .site-print-tmp || { rm -rf .site-print-tmp; exit 1; }
	rm -rf site-print; mkdir -p site-print; cp .site-print-tmp/pdf/*.pdf site-print/ 2>/dev/null || true; \
	  for d in .site-print-tmp/*/pdf; do [ -d "$$d" ] && cp $$d/*.pdf site-print/; done; rm -rf .site-print-tmp
	@echo "Printer's PDFs are in site-print/."

## Translation status: publication x language x state, with word counts.
status: $(STAMP)
	$(BIN)/python -m almanac.status

## Record that translated FILES now match their source: make stamp FILES="content/x/01-a.en.md ..."
stamp: $(STAMP)
	$(BIN)/python -m almanac.status --stamp $(FILES)

## Scaffold a publication: make new SLUG=inpud-2030-2034 ORG=inpud KIND=strategic-plan TITLE="..." [FROM=2030 TO=2034]
new: $(STAMP)
	$(BIN)/python -m almanac.scaffold --slug "$(SLUG)" --organisation "$(ORG)" --kind "$(or $(KIND),strategic-plan)" \
	  --title "$(TITLE)" $(if $(FROM),--start $(FROM)) $(if $(TO),--end $(TO))

## Benchmark: cold and warm builds with PDFs, beside mkdocs-to-pdf; results go to docs/benchmarks/.
bench: $(STAMP)
	$(BIN)/python bench/pdf_build.py

## Run the tests (installs what they need first: Python packages and Debian tools).
test: $(STAMP) system-deps
	$(BIN)/python -m pytest

system-deps:
	@missing=""; for pair in $(APT_TOOLS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

clean:
	rm -rf site .site-tmp .site-old site-print .cache bench/work
