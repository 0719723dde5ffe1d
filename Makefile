# Two entry points, each creating/refreshing .venv with the pinned stack:
#   make demo   train + evaluate on the embedded synthetic data, print the table
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REQS := requirements/torch.txt requirements/runtime.txt \
        requirements/mmaction.txt requirements/tests.txt setup.py
STAMP := $(VENV)/.installed

.PHONY: demo test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(REQS) | $(BIN)/python
	$(BIN)/pip install -q -r requirements/torch.txt
	$(BIN)/pip install -q -r requirements/runtime.txt -r requirements/tests.txt
	$(BIN)/pip install -q --no-deps -r requirements/mmaction.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py --work-dir work_dirs/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

clean:
	rm -rf $(VENV) work_dirs build *.egg-info
