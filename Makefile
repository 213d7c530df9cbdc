# Plexus build. `make demo` and `make test` are the two commands a fresh machine needs; both
# install what is missing (scripts/install-deps.sh) first.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local

BUILD := build
VENV := $(BUILD)/venv
RELEASE_DIR := .build/release
LIB := $(RELEASE_DIR)/libplexus.so
VERSION := $(shell sed -n 's/^\#define PLEXUS_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/plexus.h | paste -sd.)
MAJOR := $(firstword $(subst ., ,$(VERSION)))

# The distribution build: the Swift runtime linked in (runs without a toolchain), only plexus_*
# exported, a SONAME, and nodelete so a host's dlclose cannot unmap code that a thread-local
# destructor still needs at thread exit. No debug info: valgrind 3.19 cannot read the toolchain's DWARF 5
# (and the installed library is stripped anyway).
RELEASE_FLAGS := -c release --product plexus -Xswiftc -static-stdlib -Xswiftc -gnone -Xcc -g0 \
	-Xlinker --version-script=$(CURDIR)/Sources/PlexusC/exports.map \
	-Xlinker -z -Xlinker nodelete -Xlinker -soname=libplexus.so.$(MAJOR)
CWARN := -std=c99 -Wall -Wextra -Werror -pedantic
CLINK := -Iinclude -L$(RELEASE_DIR) -lplexus -Wl,-rpath,$(CURDIR)/$(RELEASE_DIR) -lm -lpthread
VALGRIND := valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect

.PHONY: all deps deps-system lib examples data demo install python-install \
	test test-c test-swift test-python bench-core bench-python clean

all: lib

# MARK: set-up and the library
deps:
	@./scripts/install-deps.sh

deps-system:
	@./scripts/install-deps.sh --system

lib: deps-system
	$(SWIFT) build $(RELEASE_FLAGS)
	ln -sf libplexus.so $(RELEASE_DIR)/libplexus.so.$(MAJOR)

$(BUILD):
	mkdir -p $(BUILD)

# MARK: examples
C_EXAMPLES := $(BUILD)/stepbystep $(BUILD)/xor $(BUILD)/digits $(BUILD)/predict

$(BUILD)/%: examples/c/%.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

$(BUILD)/xor_cpp: examples/cpp/xor.cpp include/plexus.h lib | $(BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O2 -o $@ $< $(CLINK)

$(BUILD)/digits.bin: examples/c/prepare_digits.py | $(BUILD)
	$(PYTHON) examples/c/prepare_digits.py $@

examples: $(C_EXAMPLES) $(BUILD)/xor_cpp

data: $(BUILD)/digits.bin

demo: deps examples data python-install
	@echo "== seed 004: one step of backpropagation through the C API =="
	./$(BUILD)/stepbystep
	@echo
	@echo "== XOR trained from C =="
	./$(BUILD)/xor
	@echo
	@echo "== handwritten digits trained from C (plexus_train with a per-epoch callback) =="
	./$(BUILD)/digits $(BUILD)/digits.bin $(BUILD)/digits_c.safetensors
	@echo
	@echo "== XOR and a regression trained from Python (pip-installed plexus package) =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python examples/python/demo.py
	@echo
	@echo "== handwritten digits trained from Python =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python bindings/python/examples/digits.py $(BUILD)/digits-python

# MARK: installing
# make install PREFIX=/opt/plexus: the library with its SONAME links, the header, plexus.pc and a
# CMake package (find_package(Plexus), target Plexus::plexus).
install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/Plexus $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libplexus.so.$(VERSION)
	strip --strip-unneeded $(DESTDIR)$(PREFIX)/lib/libplexus.so.$(VERSION)
	ln -sf libplexus.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libplexus.so.$(MAJOR)
	ln -sf libplexus.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libplexus.so
	install -m 0644 include/plexus.h $(DESTDIR)$(PREFIX)/include/plexus.h
	sed -e 's|@PREFIX@|$(PREFIX)|g; s|@VERSION@|$(VERSION)|g' scripts/packaging/plexus.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/plexus.pc
	for f in PlexusConfig PlexusConfigVersion; do \
		sed -e 's|@VERSION@|$(VERSION)|g; s|@MAJOR@|$(MAJOR)|g' scripts/packaging/$$f.cmake.in \
			> $(DESTDIR)$(PREFIX)/lib/cmake/Plexus/$$f.cmake; done

# The Python package as a user installs it: pip builds it into a virtual environment that also
# sees the system's numpy, pytest, safetensors and scikit-learn.
python-install: lib | $(BUILD)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

# MARK: tests
$(BUILD)/test_%: Tests/c/test_%.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O1 -g -o $@ $< $(CLINK) -ldl

$(BUILD)/model_tool: Tests/c/model_tool.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O1 -o $@ $< $(CLINK)

C_TESTS := $(BUILD)/test_c_api $(BUILD)/test_model_files $(BUILD)/test_two_copies

test-c: deps $(C_TESTS) examples data
	./Tests/c/check_exports.sh $(LIB) include/plexus.h
	./$(BUILD)/test_c_api
	$(VALGRIND) ./$(BUILD)/test_c_api
	./$(BUILD)/test_model_files
	$(VALGRIND) ./$(BUILD)/test_model_files
	cp $(LIB) $(BUILD)/libplexus-copy.so
	./$(BUILD)/test_two_copies $(CURDIR)/$(BUILD)/libplexus-copy.so
	./Tests/c/test_examples.sh
	./Tests/c/test_install.sh
	./Tests/c/check_readme.sh

# Debug and release: the release run checks the code at the optimisation level that ships (a
# miscompile of typed throws through a generic closure showed up only there). Its own scratch path
# keeps it from rebuilding the distribution library, which uses other flags.
test-swift: deps
	$(SWIFT) test
	$(SWIFT) test -c release --scratch-path .build-release-tests

test-python: deps python-install $(BUILD)/model_tool
	cd $(BUILD) && env -u PLEXUS_LIBRARY $(CURDIR)/$(VENV)/bin/python -c \
		'import plexus; assert "site-packages" in str(plexus.library_path), plexus.library_path; print("plexus", plexus.version(), "from", plexus.library_path)'
	env -u PLEXUS_LIBRARY PLEXUS_MODEL_TOOL=$(CURDIR)/$(BUILD)/model_tool PLEXUS_LIBRARY_COPY=$(CURDIR)/$(LIB) \
		$(VENV)/bin/python -m pytest -q Tests/python

# C first, then Swift, then Python: the output ends with the runners' own summary lines.
test: deps | $(BUILD)
	@$(MAKE) --no-print-directory test-c
	@$(MAKE) --no-print-directory test-swift
	@$(MAKE) --no-print-directory test-python

# MARK: benchmarks
$(BUILD)/bench_core: benchmarks/bench_core.c include/plexus.h lib | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

bench-core: $(BUILD)/bench_core
	./$(BUILD)/bench_core

bench-python: $(BUILD)/bench_core python-install
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench_python.py $(BUILD)/bench_core

clean:
	rm -rf .build .build-release-tests $(BUILD) bindings/python/build bindings/python/plexus.egg-info
