# The course's commands. `make lab` opens the course, `make test` runs every test.
# Each one creates the virtual environment .venv (and installs into it) when needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP  := $(VENV)/.lab-installed
TEST_STAMP := $(VENV)/.test-installed
# JupyterLab refuses to run as root without this flag; a learner's laptop never needs it.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint exercises strip slides slides-offline lecture website html release clean-venv help
help:
	@echo "make lab        open the course in JupyterLab"
	@echo "make test       run the whole test suite (library, notebooks, grader)"
	@echo "make lint       check the code and the notebooks with ruff (pyproject.toml's rules)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make strip      remove outputs and execution counts from every notebook"
	@echo "make slides     build a reveal.js deck per lesson in build/slides/"
	@echo "make slides-offline  the same decks with reveal.js and MathJax beside them (needs npm once)"
	@echo "make lecture    the lecture decks (no code, lecture-size type) for offline use (SCALE=0.8: smaller room)"
	@echo "make website    the course website (Jupyter Book) in build/website/_build/html/"
	@echo "make release    what students get, as build/release/first-order-optimization/ and .zip"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("The course needs Python 3.10 or newer; found " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@touch $@

$(TEST_STAMP): $(LAB_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

# One BLAS thread, as in the tests: the lessons' matrices are tiny, and threads only wait on
# each other (on a busy 2-core machine lesson 6's five-seed runs took 4x longer with them).
lab: $(LAB_STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

exercises: $(LAB_STAMP)
	$(BIN)/python -m course_lib.grading.generate

strip: $(LAB_STAMP)
	$(BIN)/python tools/strip_notebooks.py

slides: $(LAB_STAMP)
	$(BIN)/python tools/slides.py

slides-offline: $(LAB_STAMP)
	$(BIN)/python tools/slides.py --offline

SCALE ?= 1
lecture: $(LAB_STAMP)
	$(BIN)/python tools/slides.py --offline --hide-code --scale $(SCALE) --out build/lecture

website: $(TEST_STAMP)
	$(BIN)/python tools/website.py

html: website

release: $(LAB_STAMP)
	$(BIN)/python tools/release.py

clean-venv:
	rm -rf $(VENV)
