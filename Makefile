# Plexus build. `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
CC ?= cc

BUILD := build
RELEASE_DIR := .build/release
LIB := $(RELEASE_DIR)/libplexus.so
# The distribution build: Swift runtime linked in (runs without a toolchain), only plexus_* exported,
# and nodelete so a host's dlclose cannot unmap code a thread-local destructor still needs.
RELEASE_FLAGS := -c release --product plexus -Xswiftc -static-stdlib \
	-Xlinker --version-script=$(CURDIR)/Sources/PlexusC/exports.map \
	-Xlinker -z -Xlinker nodelete
CWARN := -std=c99 -Wall -Wextra -Werror -pedantic
CLINK := -Iinclude -L$(RELEASE_DIR) -lplexus -Wl,-rpath,$(CURDIR)/$(RELEASE_DIR) -lm -lpthread
VALGRIND := valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect

.PHONY: all deps deps-system lib python-install demo test test-swift test-c test-python examples clean bench-core bench-python

all: lib

deps:
	@./scripts/install-deps.sh

deps-system:
	@./scripts/install-deps.sh --system

lib: deps-system
	$(SWIFT) build $(RELEASE_FLAGS)

$(BUILD):
	mkdir -p $(BUILD)

# MARK: examples
EXAMPLES := $(BUILD)/stepbystep $(BUILD)/xor

$(BUILD)/%: examples/c/%.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

examples: $(EXAMPLES)

demo: deps examples python-install
	@echo "== seed 004: one step of backpropagation through the C API =="
	./$(BUILD)/stepbystep
	@echo
	@echo "== XOR trained from C =="
	./$(BUILD)/xor
	@echo
	@echo "== XOR and a regression trained from Python (pip-installed plexus package) =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python examples/python/demo.py
	@echo
	@echo "== handwritten digits (scikit-learn's bundled set) from Python =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python bindings/python/examples/digits.py $(BUILD)/digits

# MARK: tests
$(BUILD)/test_%: Tests/c/test_%.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O1 -g -o $@ $< $(CLINK)

# Debug and release: the release run checks the code at the optimisation level that ships (a
# miscompile of typed throws through a generic closure showed up only there). Its own scratch path
# keeps it from rebuilding the distribution library, which uses other flags.
test-swift: deps
	$(SWIFT) test
	$(SWIFT) test -c release --scratch-path .build-release-tests

C_TESTS := $(BUILD)/test_c_api $(BUILD)/test_model_files

test-c: $(C_TESTS) examples
	./Tests/c/check_exports.sh $(LIB) include/plexus.h
	./$(BUILD)/test_c_api
	$(VALGRIND) ./$(BUILD)/test_c_api
	./$(BUILD)/test_model_files
	$(VALGRIND) ./$(BUILD)/test_model_files
	$(VALGRIND) ./$(BUILD)/stepbystep > /dev/null
	./Tests/c/check_readme.sh

# The Python tests run against the package as a user installs it: pip builds it into a virtual
# environment (which sees the system's numpy, pytest and safetensors) and the tests import it there.
VENV := $(BUILD)/venv
$(BUILD)/model_tool: Tests/c/model_tool.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O1 -o $@ $< $(CLINK)

python-install: lib | $(BUILD)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

test-python: python-install $(BUILD)/model_tool
	cd $(BUILD) && env -u PLEXUS_LIBRARY $(CURDIR)/$(VENV)/bin/python -c \
		'import plexus, sys; assert "site-packages" in str(plexus.library_path), plexus.library_path; print("plexus", plexus.version(), "from", plexus.library_path)'
	env -u PLEXUS_LIBRARY PLEXUS_MODEL_TOOL=$(CURDIR)/$(BUILD)/model_tool $(VENV)/bin/python -m pytest -q Tests/python

# Swift first, then C, then Python; the output ends with the runners' own summary lines.
test: deps | $(BUILD)
	@$(MAKE) --no-print-directory lib
	@$(MAKE) --no-print-directory test-c
	@$(MAKE) --no-print-directory test-swift
	@$(MAKE) --no-print-directory test-python

clean:
	rm -rf .build $(BUILD)

# MARK: benchmarks
$(BUILD)/bench_core: benchmarks/bench_core.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

bench-core: $(BUILD)/bench_core
	./$(BUILD)/bench_core

bench-python: $(BUILD)/bench_core python-install
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench_python.py $(BUILD)/bench_core
