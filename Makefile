# Plexus build. `make demo` and `make test` are the two commands a fresh machine needs; both
# install what is missing (scripts/install-deps.sh) first, once per checkout (a stamp in build/).
# `make check` is the edit-test loop (at most two minutes on a built tree); `make help` lists
# every target.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share

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
# PLEXUS_C_LIBRARY leaves FoundationEssentials out of libplexus.so (only Swift programs see a
# Swift error's localizedDescription: Sources/Plexus/PlexusError+LocalizedError.swift).
RELEASE_FLAGS := -c release --product plexus -Xswiftc -DPLEXUS_C_LIBRARY -Xswiftc -static-stdlib -Xswiftc -gnone -Xcc -g0 \
	-Xswiftc -Xfrontend -Xswiftc -disable-implicit-string-processing-module-import \
	-Xswiftc -enforce-exclusivity=unchecked \
	-Xlinker --version-script=$(CURDIR)/Sources/PlexusC/exports.map \
	-Xlinker -z -Xlinker nodelete -Xlinker -soname=libplexus.so.$(MAJOR)
CWARN := -std=c99 -Wall -Wextra -Werror -pedantic
CLINK := -Iinclude -L$(RELEASE_DIR) -lplexus -Wl,-rpath,$(CURDIR)/$(RELEASE_DIR) -lm -lpthread
VALGRIND := valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect

.PHONY: all help deps deps-system lib static check examples data demo install uninstall python-install wheel sdist test-wheel \
	test test-c test-swift test-python test-deploy test-sanitizers test-fuzz test-mpi fuzz asan-lib tsan-lib fuzz-lib \
	bench bench-deps bench-core bench-instructions bench-graph bench-rprop library-size bench-sklearn-alpha bench-transforms bench-layer-norm bench-mpi bench-blas bench-optimizers bench-gemm clean

all: lib ## the release library (the same as make lib)

# `make help`: every target that carries a `## ` description, one line each.
help: ## this list
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)/\1\t\2/' | \
		awk -F'\t' '{ printf "  make %-20s %s\n", $$1, $$2 }'

# MARK: set-up and the library
# What a fresh machine lacks is installed once per checkout: the stamps record it, and the
# scripts that decide what to install are their prerequisites (editing one runs it again).
DEPS_STAMP := $(BUILD)/.deps-installed
SYSTEM_DEPS_STAMP := $(BUILD)/.deps-system-installed
$(DEPS_STAMP): scripts/install-deps.sh scripts/python-test-requirements.txt
	@mkdir -p $(BUILD)
	./scripts/install-deps.sh
	@touch $@ $(SYSTEM_DEPS_STAMP)

$(SYSTEM_DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	./scripts/install-deps.sh --system
	@touch $@

deps: $(DEPS_STAMP) ## install what make demo and make test need (Debian and PyPI packages), once

deps-system: $(SYSTEM_DEPS_STAMP) ## install only what building the library needs

# Rebuilt when a source, the header or Package.swift changes (SwiftPM then rebuilds what changed).
LIB_INPUTS := Package.swift include/plexus.h $(shell find Sources -type f)

$(LIB): $(LIB_INPUTS) $(SYSTEM_DEPS_STAMP)
	$(SWIFT) build $(RELEASE_FLAGS)
	ln -sf libplexus.so $(RELEASE_DIR)/libplexus.so.$(MAJOR)
	@touch $@

lib: $(LIB) ## .build/release/libplexus.so

$(BUILD):
	mkdir -p $(BUILD)

# MARK: examples
C_EXAMPLES := $(BUILD)/stepbystep $(BUILD)/xor $(BUILD)/digits $(BUILD)/predict $(BUILD)/graph $(BUILD)/export_model

$(BUILD)/%: examples/c/%.c include/plexus.h examples/c/digits_data.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

# The digits model as C source (export_model, from the model the digits example saves), and a
# program built from that source alone: no libplexus, no Swift.
DEPLOYED := $(BUILD)/deployed
$(DEPLOYED)/digits_float.c: $(BUILD)/export_model $(BUILD)/digits_c.safetensors $(BUILD)/digits.bin
	mkdir -p $(DEPLOYED)
	./$(BUILD)/export_model $(BUILD)/digits_c.safetensors $(BUILD)/digits.bin $(DEPLOYED)

BUILD_DEPLOYED := $(CC) $(CWARN) -O2 -I$(DEPLOYED) -o $(BUILD)/deployed_digits examples/c/deployed_digits.c \
	$(DEPLOYED)/digits_float.c $(DEPLOYED)/digits_int8.c -lm
$(BUILD)/deployed_digits: examples/c/deployed_digits.c examples/c/digits_data.h $(DEPLOYED)/digits_float.c
	$(BUILD_DEPLOYED)

$(BUILD)/digits_c.safetensors: $(BUILD)/digits $(BUILD)/digits.bin
	./$(BUILD)/digits $(BUILD)/digits.bin $@

# Built where MPI is installed (make deps installs Open MPI).
$(BUILD)/mpi_train: examples/c/mpi_train.c include/plexus.h $(LIB) | $(BUILD)
	mpicc $(CWARN) -O2 -o $@ $< $(CLINK)

$(BUILD)/xor_cpp: examples/cpp/xor.cpp include/plexus.h $(LIB) | $(BUILD)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O2 -o $@ $< $(CLINK)

$(BUILD)/digits.bin: examples/c/prepare_digits.py | $(BUILD)
	$(PYTHON) examples/c/prepare_digits.py $@

examples: $(C_EXAMPLES) $(BUILD)/xor_cpp ## the C and C++ examples, in build/

data: $(BUILD)/digits.bin ## scikit-learn's digits as build/digits.bin, for the C examples

demo: deps examples data python-install ## the main job: trains networks from C and Python and prints what they learned
	@echo "== the machine, and the GEMM kernel behind Plexus's products =="
	@env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/machine.py
	@echo
	@echo "== seed 004: one step of backpropagation through the C API =="
	./$(BUILD)/stepbystep
	@echo
	@echo "== XOR trained from C =="
	./$(BUILD)/xor
	@echo
	@echo "== seed 002: the shopping example as a computational graph, from C and from Python =="
	./$(BUILD)/graph
	env -u PLEXUS_LIBRARY $(VENV)/bin/python examples/python/shopping.py
	@echo
	@echo "== handwritten digits trained from C (plexus_train with a per-epoch callback) =="
	./$(BUILD)/digits $(BUILD)/digits.bin $(BUILD)/digits_c.safetensors
	@echo
	@echo "== the digits model exported as C (plexus_export_c, float32 and int8) and run without libplexus =="
	mkdir -p $(DEPLOYED)
	./$(BUILD)/export_model $(BUILD)/digits_c.safetensors $(BUILD)/digits.bin $(DEPLOYED)
	$(BUILD_DEPLOYED)
	./$(BUILD)/deployed_digits $(BUILD)/digits.bin
	@echo
	@echo "== XOR and a regression trained from Python (pip-installed plexus package) =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python examples/python/demo.py
	@echo
	@echo "== handwritten digits trained from Python =="
	env -u PLEXUS_LIBRARY $(VENV)/bin/python bindings/python/examples/digits.py $(BUILD)/digits-python $(BUILD)/digits-loss.png

# MARK: installing
# make install PREFIX=/opt/plexus (LIBDIR, INCLUDEDIR, DATADIR and DESTDIR honoured): the shared
# library with its SONAME links, the static library, the header, plexus.pc and a CMake package
# (find_package(Plexus), targets Plexus::plexus and Plexus::plexus_static), the licence and the
# valgrind suppressions. make uninstall removes exactly those files. (SWIFT_STATIC is expanded
# when used: on a fresh machine the toolchain arrives during the same make run.)
SWIFT_STATIC = $(dir $(shell readlink -f $$(command -v $(SWIFT))))../lib/swift_static/linux
# The Swift runtime pieces a C program needs beside Plexus's objects when it links statically:
# the libraries the objects' autolink entries name (swift-autolink-extract: swiftCore, swiftGlibc,
# swiftSynchronization, swift_Concurrency) and what the toolchain's static-stdlib-args.lnk adds
# for them (dispatch, BlocksRuntime); swiftrt.o registers the image's Swift metadata.
STATIC_SWIFT_LIBS := swiftCore swiftGlibc swiftSynchronization swift_Concurrency dispatch BlocksRuntime
STATIC_LIB := $(BUILD)/libplexus.a

$(STATIC_LIB): $(LIB) | $(BUILD)
	rm -f $@
	{ echo "create $@"; \
	  tr -d "'" < $(RELEASE_DIR)/plexus.product/Objects.LinkFileList | sed 's/^/addmod /'; \
	  for l in $(STATIC_SWIFT_LIBS); do echo "addlib $(SWIFT_STATIC)/lib$$l.a"; done; \
	  echo save; echo end; } | ar -M
	ranlib $@

static: $(STATIC_LIB) ## build/libplexus.a: Plexus and the Swift runtime pieces it needs, for static linking

INSTALLED := $(LIBDIR)/libplexus.so.$(VERSION) $(LIBDIR)/libplexus.so.$(MAJOR) $(LIBDIR)/libplexus.so \
	$(LIBDIR)/libplexus.a $(LIBDIR)/plexus/swiftrt.o $(INCLUDEDIR)/plexus.h $(LIBDIR)/pkgconfig/plexus.pc \
	$(LIBDIR)/cmake/Plexus/PlexusConfig.cmake $(LIBDIR)/cmake/Plexus/PlexusConfigVersion.cmake \
	$(DATADIR)/plexus/valgrind.supp $(DATADIR)/plexus/LICENSE

install: lib $(STATIC_LIB) ## install the libraries, header, plexus.pc, CMake package, licence and valgrind suppressions under PREFIX (default /usr/local)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/Plexus $(DESTDIR)$(LIBDIR)/plexus \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR)/plexus
	install -m 0644 share/plexus/valgrind.supp $(DESTDIR)$(DATADIR)/plexus/valgrind.supp
	install -m 0644 LICENSE $(DESTDIR)$(DATADIR)/plexus/LICENSE
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/libplexus.so.$(VERSION)
	strip --strip-unneeded $(DESTDIR)$(LIBDIR)/libplexus.so.$(VERSION)
	ln -sf libplexus.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libplexus.so.$(MAJOR)
	ln -sf libplexus.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libplexus.so
	install -m 0644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/libplexus.a
	install -m 0644 $(SWIFT_STATIC)/x86_64/swiftrt.o $(DESTDIR)$(LIBDIR)/plexus/swiftrt.o
	install -m 0644 include/plexus.h $(DESTDIR)$(INCLUDEDIR)/plexus.h
	sed -e 's|@LIBDIR@|$(LIBDIR)|g; s|@INCLUDEDIR@|$(INCLUDEDIR)|g; s|@VERSION@|$(VERSION)|g' \
		scripts/packaging/plexus.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/plexus.pc
	for f in PlexusConfig PlexusConfigVersion; do \
		sed -e 's|@VERSION@|$(VERSION)|g; s|@MAJOR@|$(MAJOR)|g' scripts/packaging/$$f.cmake.in \
			> $(DESTDIR)$(LIBDIR)/cmake/Plexus/$$f.cmake; done

uninstall: ## remove what make install installed (the same PREFIX, LIBDIR, INCLUDEDIR, DATADIR and DESTDIR)
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(LIBDIR)/plexus $(DESTDIR)$(LIBDIR)/cmake/Plexus $(DESTDIR)$(DATADIR)/plexus 2> /dev/null

# The Python package as a user installs it: pip installs it into a virtual environment that also
# sees the system's numpy, pytest, safetensors and scikit-learn. It packages the library just built
# (PLEXUS_LIBRARY) instead of building it a second time; the sdist test builds it from source.
PYTHON_INSTALLED := $(VENV)/.plexus-installed
$(PYTHON_INSTALLED): $(LIB) bindings/python/setup.py bindings/python/pyproject.toml $(wildcard bindings/python/plexus/*) | $(BUILD)
	test -x $(VENV)/bin/python || $(PYTHON) -m venv --system-site-packages $(VENV)
	PLEXUS_LIBRARY=$(CURDIR)/$(LIB) $(VENV)/bin/pip install --quiet --disable-pip-version-check --force-reinstall \
		--no-deps ./bindings/python
	@touch $@

python-install: $(PYTHON_INSTALLED) ## pip-install the Python package into build/venv

# MARK: the Python wheel and sdist
# build/dist/plexus-VERSION-py3-none-manylinux_*_x86_64.whl (auditwheel-repaired, the library
# inside) and build/dist/plexus-VERSION.tar.gz (builds from source where Swift is).
wheel: python-install ## build/dist/plexus-*.whl, auditwheel-repaired, the library inside
	./scripts/build-wheel.sh $(VENV)/bin/python $(BUILD)

sdist: python-install ## build/dist/plexus-*.tar.gz, which builds the library from source
	./scripts/build-sdist.sh $(VENV)/bin/python $(BUILD)

# The wheel in a fresh venv with the toolchain hidden: the smoke tests, versions, the GEMM kernel,
# beside numpy and scikit-learn; and a wheel built from the sdist.
test-wheel: deps wheel sdist $(BUILD)/model_tool ## the wheel in a fresh venv, toolchain hidden; the sdist built from source
	./Tests/python/test_wheel.sh $(BUILD)

# MARK: tests
# The allocation counter is preloaded into test_allocations (malloc-family calls, counted).
$(BUILD)/alloc_counter.so: Tests/c/alloc_counter.c | $(BUILD)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $<

$(BUILD)/test_allocations: Tests/c/test_allocations.c Tests/c/check.h include/plexus.h $(LIB) $(BUILD)/alloc_counter.so | $(BUILD)
	$(CC) $(CWARN) -O1 -g -o $@ $< $(CLINK) -ldl

$(BUILD)/test_%: Tests/c/test_%.c Tests/c/check.h include/plexus.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O1 -g -o $@ $< $(CLINK) -ldl

$(BUILD)/model_tool: Tests/c/model_tool.c include/plexus.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O1 -o $@ $< $(CLINK)

# Every function of the header, each integer and float argument and option field hostile in turn
# (Tests/c/gen_hostile.py writes the calls from the header itself).
$(BUILD)/test_hostile.c: Tests/c/gen_hostile.py include/plexus.h | $(BUILD)
	$(PYTHON) Tests/c/gen_hostile.py include/plexus.h $@

$(BUILD)/test_hostile: $(BUILD)/test_hostile.c Tests/c/test_hostile_main.h include/plexus.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O1 -o $@ $< -ITests/c $(CLINK)

# Every function that takes a handle, given each kind of pointer that is not a live handle of its
# type (Tests/c/gen_misuse.py writes the calls from the header itself).
$(BUILD)/test_misuse.c: Tests/c/gen_misuse.py Tests/c/gen_hostile.py include/plexus.h | $(BUILD)
	$(PYTHON) Tests/c/gen_misuse.py include/plexus.h $@

$(BUILD)/test_misuse: $(BUILD)/test_misuse.c Tests/c/test_misuse_main.h include/plexus.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O1 -o $@ $< -ITests/c $(CLINK)

C_TESTS := $(BUILD)/test_hostile $(BUILD)/test_misuse $(BUILD)/test_c_api $(BUILD)/test_model_files $(BUILD)/test_two_copies \
	$(BUILD)/test_concurrency $(BUILD)/test_busy $(BUILD)/test_kill_save $(BUILD)/test_resources $(BUILD)/test_allocations \
	$(BUILD)/test_threads $(BUILD)/test_files

test-c: deps $(C_TESTS) examples data $(BUILD)/deployed_digits ## the C tests, plain and under valgrind; examples, install, README and docs
	./Tests/c/check_exports.sh $(LIB) include/plexus.h
	./Tests/c/test_gemm.sh $(BUILD)
	./$(BUILD)/test_hostile
	./$(BUILD)/test_misuse
	./Tests/c/test_must_use.sh
	./$(BUILD)/test_c_api
	$(VALGRIND) ./$(BUILD)/test_c_api
	./$(BUILD)/test_model_files
	$(VALGRIND) ./$(BUILD)/test_model_files
	cp $(LIB) $(BUILD)/libplexus-copy.so
	./$(BUILD)/test_two_copies $(CURDIR)/$(BUILD)/libplexus-copy.so
	./$(BUILD)/test_concurrency 3
	./$(BUILD)/test_busy
	./$(BUILD)/test_threads
	rm -rf $(BUILD)/kill-save && mkdir -p $(BUILD)/kill-save && ./$(BUILD)/test_kill_save $(BUILD)/kill-save 40
	rm -rf $(BUILD)/files && mkdir -p $(BUILD)/files && ./$(BUILD)/test_files $(BUILD)/files
	./$(BUILD)/test_resources 100000 2000
	LD_PRELOAD=$(CURDIR)/$(BUILD)/alloc_counter.so ./$(BUILD)/test_allocations
	$(VALGRIND) ./$(BUILD)/test_resources 100000 20
	./Tests/c/test_examples.sh
	./Tests/c/test_install.sh
	$(PYTHON) Tests/docs/check_docs.py

# MARK: sanitizers and fuzzing
# Instrumented builds of the library, each in its own scratch folder, and the C tests compiled
# with the toolchain's clang against them: AddressSanitizer + LeakSanitizer, ThreadSanitizer, and
# libFuzzer (coverage) + AddressSanitizer.
CLANG := $(dir $(shell command -v $(SWIFT)))clang
SWIFT_LIBS := $(dir $(shell command -v $(SWIFT)))../lib/swift/linux
EXPORTS := -Xswiftc -DPLEXUS_C_LIBRARY -Xlinker --version-script=$(CURDIR)/Sources/PlexusC/exports.map
SAN_CFLAGS := -std=c99 -g -O1 -Iinclude -Wl,--no-warn-mismatch
ASAN_ENV := ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:allocator_may_return_null=1
SECONDS ?= 60

asan-lib: deps-system ## the library under AddressSanitizer, in .build-asan
	$(SWIFT) build -c release --product plexus --scratch-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address $(EXPORTS)

tsan-lib: deps-system ## the library under ThreadSanitizer, in .build-tsan
	$(SWIFT) build -c release --product plexus --scratch-path .build-tsan -Xswiftc -sanitize=thread -Xcc -fsanitize=thread $(EXPORTS)

fuzz-lib: deps-system ## the library for libFuzzer, in .build-fuzz
	$(SWIFT) build -c release --product plexus --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address \
		-Xcc -fsanitize=fuzzer-no-link,address $(EXPORTS)

$(BUILD)/asan_%: Tests/c/test_%.c Tests/c/check.h asan-lib | $(BUILD)
	$(CLANG) $(SAN_CFLAGS) -fsanitize=address $< -L.build-asan/release -lplexus -Wl,-rpath,$(CURDIR)/.build-asan/release -lm -lpthread -o $@ 2>&1 | { grep -v "Cannot export" || true; }

# ThreadSanitizer's runtime in the Swift toolchain intercepts libdispatch, so the test links it.
$(BUILD)/tsan_%: Tests/c/test_%.c Tests/c/check.h tsan-lib | $(BUILD)
	$(CLANG) $(SAN_CFLAGS) -fsanitize=thread $< -L.build-tsan/release -lplexus -Wl,-rpath,$(CURDIR)/.build-tsan/release \
		-L$(SWIFT_LIBS) -ldispatch -lBlocksRuntime -Wl,-rpath,$(SWIFT_LIBS) -lm -lpthread -o $@ 2>&1 | { grep -v "Cannot export" || true; }

$(BUILD)/fuzz_load: Tests/fuzz/fuzz_load.c fuzz-lib | $(BUILD)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address -Iinclude $< -L.build-fuzz/release -lplexus -Wl,-rpath,$(CURDIR)/.build-fuzz/release -o $@ 2>&1 | { grep -v "Cannot export" || true; }

$(BUILD)/fuzz-corpus/.made: Tests/fuzz/make_corpus.py | python-install
	env -u PLEXUS_LIBRARY $(VENV)/bin/python Tests/fuzz/make_corpus.py $(BUILD)/fuzz-corpus && touch $@

# make fuzz SECONDS=N: fuzz plexus_load_buffer for N seconds; crashing inputs land in Tests/fuzz/crashes/.
fuzz: $(BUILD)/fuzz_load $(BUILD)/fuzz-corpus/.made ## fuzz plexus_load_buffer for SECONDS (default 60)
	./$(BUILD)/fuzz_load -max_total_time=$(SECONDS) -print_final_stats=1 -rss_limit_mb=4096 \
		-artifact_prefix=Tests/fuzz/crashes/ $(BUILD)/fuzz-corpus

# Every saved crash input runs again as a regression test, then a bounded fuzzing run.
test-fuzz: $(BUILD)/fuzz_load $(BUILD)/fuzz-corpus/.made ## replay the saved crash inputs, then fuzz for SECONDS
	@inputs=$$(ls Tests/fuzz/crashes/ | grep -E '^(crash|leak|timeout|oom)-' || true); \
	if [ -n "$$inputs" ]; then cd Tests/fuzz/crashes && $(CURDIR)/$(BUILD)/fuzz_load $$inputs; \
	else echo "fuzz: no saved crash inputs to replay"; fi
	@$(MAKE) --no-print-directory fuzz SECONDS=$(SECONDS)

test-sanitizers: $(BUILD)/asan_c_api $(BUILD)/asan_model_files $(BUILD)/asan_resources $(BUILD)/tsan_concurrency $(BUILD)/tsan_c_api \
		$(BUILD)/tsan_busy ## the C tests under AddressSanitizer and ThreadSanitizer
	$(ASAN_ENV) ./$(BUILD)/asan_c_api
	$(ASAN_ENV) ./$(BUILD)/asan_model_files
	$(ASAN_ENV) ./$(BUILD)/asan_resources 100000 200
	$(TSAN_ENV) ./$(BUILD)/tsan_concurrency 3
	$(TSAN_ENV) ./$(BUILD)/tsan_c_api
	$(TSAN_ENV) ./$(BUILD)/tsan_busy

# Data-parallel training with 2 ranks on this machine, from C and Python, and rank failures.
test-mpi: deps python-install data $(BUILD)/mpi_train ## data-parallel training on 2 MPI ranks, from C and Python
	PYTHON=$(VENV)/bin/python ./Tests/mpi/test_mpi.sh

# The code export on other machines: the digits net's generated C on x86-64 and 32-bit ARM (qemu-arm),
# and its size on a Cortex-M4 (arm-none-eabi-gcc).
test-deploy: deps python-install ## the generated C on x86-64, 32-bit ARM (qemu) and its Cortex-M4 size
	PYTHON=$(VENV)/bin/python ./Tests/deploy/test_deploy.sh $(BUILD)/deploy

# Debug and release: the release run checks the code at the optimisation level that ships (a
# miscompile of typed throws through a generic closure showed up only there). Its own scratch path
# keeps it from rebuilding the distribution library, which uses other flags.
test-swift: deps ## swift test, debug and release; an app that depends on Plexus by URL and version
	./Tests/swiftpm/test_version_dependency.sh $(BUILD)/swiftpm-dependency
	$(SWIFT) test
	$(SWIFT) test -c release --scratch-path .build-release-tests

# SCIPY_ARRAY_API=1: scikit-learn runs its array-API estimator checks only with it set.
test-python: deps python-install $(BUILD)/model_tool ## mypy --strict, then the whole Python suite against the pip-installed package
	cd $(BUILD) && env -u PLEXUS_LIBRARY $(CURDIR)/$(VENV)/bin/python -c \
		'import plexus; assert "site-packages" in str(plexus.library_path), plexus.library_path; print("plexus", plexus.version(), "from", plexus.library_path)'
	cd bindings/python && $(CURDIR)/$(VENV)/bin/python -m mypy --strict --cache-dir $(CURDIR)/$(BUILD)/mypy-cache plexus
	env -u PLEXUS_LIBRARY PLEXUS_MODEL_TOOL=$(CURDIR)/$(BUILD)/model_tool PLEXUS_LIBRARY_COPY=$(CURDIR)/$(LIB) \
		SCIPY_ARRAY_API=1 $(VENV)/bin/python -m pytest -q Tests/python

# C (plain, valgrind, sanitizers, fuzzing) first, then Swift, then Python: the output ends with the runners' own summary lines.
test: deps | $(BUILD) ## every test (what CI runs): C, sanitizers, fuzzing, MPI, the wheel, deploy, Swift, Python
	@$(MAKE) --no-print-directory test-c
	@$(MAKE) --no-print-directory test-sanitizers
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-mpi
	@$(MAKE) --no-print-directory test-wheel
	@$(MAKE) --no-print-directory test-deploy
	@$(MAKE) --no-print-directory test-swift
	@$(MAKE) --no-print-directory test-python

# MARK: the edit-test loop
# `make check`: the incremental release library, the Swift tests but the slow ones (debug),
# test_c_api plainly and the Python tests not marked slow, run from the checkout (no install).
# At most two minutes on a built 2-core machine; it prints its wall time. `make test` is the gate.
check: ## the edit-test loop (at most 2 minutes on a built tree): library, Swift, C API and Python tests but the slow ones
	@start=$$(date +%s%N); \
	$(MAKE) --no-print-directory check-steps && \
	echo "make check: passed in $$(( ($$(date +%s%N) - start) / 1000000000 )) s (wall time; make test is the full gate)"

.PHONY: check-steps
check-steps: $(DEPS_STAMP) $(LIB) $(BUILD)/test_c_api
	@echo "PLEXUS_SKIP_SLOW=1 $(SWIFT) test  (output in $(BUILD)/check-swift.log)"
	@PLEXUS_SKIP_SLOW=1 $(SWIFT) test > $(BUILD)/check-swift.log 2>&1 || { cat $(BUILD)/check-swift.log; exit 1; }
	@grep -E "^(✔|✘|􀟈|Test run|Executed)" $(BUILD)/check-swift.log | grep -E "Test run|Executed .* tests" | tail -n 2
	./$(BUILD)/test_c_api
	PYTHONPATH=$(CURDIR)/bindings/python PLEXUS_LIBRARY=$(CURDIR)/$(LIB) SCIPY_ARRAY_API=1 \
		$(PYTHON) -m pytest -q -p no:cacheprovider -m "not slow" Tests/python

# MARK: benchmarks
# `make bench` runs Plexus and its peers side by side (benchmarks/bench.py; results in
# benchmarks/RESULTS.md). `make bench TORCH=install` also installs PyTorch from PyPI.
# bench_core's "gemm alone" runs Plexus's GEMM built in from its sources, as the library builds it
# (the toolchain's clang).
KERNEL_SOURCES := $(wildcard Sources/CPlexusKernels/*.c)
KERNEL_BUILD := -ISources/CPlexusKernels/include -ISources/CPlexusKernels $(KERNEL_SOURCES)

$(BUILD)/bench_core: benchmarks/bench_core.c benchmarks/machine.h include/plexus.h $(LIB) $(KERNEL_SOURCES) | $(BUILD)
	$(CLANG) -std=c11 -Wall -Wextra -Werror -O2 -o $@ $< $(KERNEL_BUILD) $(CLINK)

bench-deps: deps python-install ## what the benchmarks need (FANN, BLIS, an OpenBLAS; PyTorch with TORCH=install)
	PYTHON=$(VENV)/bin/python ./scripts/install-bench-deps.sh $(if $(filter install,$(TORCH)),--torch)

$(BUILD)/bench_fann: benchmarks/bench_fann.c | $(BUILD) bench-deps
	$(CC) $(CWARN) -O2 -o $@ $< -lfloatfann -lm

$(BUILD)/bench_tiny_paired: benchmarks/bench_tiny_paired.c benchmarks/fann_tiny.h benchmarks/machine.h include/plexus.h $(LIB) | $(BUILD) bench-deps
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK) -lfloatfann -lm

$(BUILD)/tiny_instructions: benchmarks/tiny_instructions.c benchmarks/fann_tiny.h benchmarks/machine.h include/plexus.h $(LIB) | $(BUILD) bench-deps
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK) -lfloatfann -lm

# Plexus's GEMM (built in from its sources, with the toolchain's clang as the library is) against
# OpenBLAS (the scipy-openblas32 build numpy and SciPy ship, fetched by install-bench-deps.sh) and
# Debian's BLIS, one thread.
OPENBLAS_PEER := $(CURDIR)/build/bench/openblas/libscipy_openblas.so
LIBDIR_ARCH := /usr/lib/$(shell $(CC) -print-multiarch)
BLIS_PEER := $(LIBDIR_ARCH)/libblis.so.4
GEMM_PEERS := openblas-0.3.34=$(OPENBLAS_PEER):scipy_ debian-blis-0.9.0=$(BLIS_PEER)
$(BUILD)/bench_gemm: benchmarks/bench_gemm.c benchmarks/machine.h $(KERNEL_SOURCES) Sources/CPlexusKernels/kernels.h \
		Sources/CPlexusKernels/include/plexus_gemm.h | $(BUILD)
	$(CLANG) -std=c11 -O2 -Wall -Wextra -Werror -Ibenchmarks -o $@ $< $(KERNEL_BUILD) -lm -lpthread -ldl

bench-gemm: $(BUILD)/bench_gemm bench-deps ## Plexus's GEMM against OpenBLAS and BLIS at W3's and W4's products, 1 thread
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 ./$(BUILD)/bench_gemm $(GEMM_PEERS)

$(BUILD)/bench_optimizer_step: benchmarks/bench_optimizer_step.c benchmarks/machine.h include/plexus.h $(LIB) | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK)

bench-optimizers: $(BUILD)/bench_optimizer_step ## what one optimizer step costs, per optimizer, tiny and wide
	./$(BUILD)/bench_optimizer_step

# W1's C loop for w5_python.py's in-process comparison; it links nothing (Python passes the function).
$(BUILD)/libw5_c_loop.so: benchmarks/w5_c_loop.c include/plexus.h | $(BUILD)
	$(CC) $(CWARN) -O2 -shared -fPIC -o $@ $< -Iinclude

# Instructions per tiny call (callgrind), the measure that does not move with the host's speed.
bench-instructions: $(BUILD)/tiny_instructions ## instructions per tiny call (callgrind)
	./benchmarks/tiny_instructions.sh $(BUILD)/tiny_instructions

bench: python-install bench-deps $(BUILD)/bench_gemm $(BUILD)/bench_core $(BUILD)/bench_fann $(BUILD)/bench_tiny_paired $(BUILD)/libw5_c_loop.so ## Plexus and its peers side by side (benchmarks/RESULTS.md); TORCH=install adds PyTorch
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench.py $(BUILD) $(addprefix --gemm-peer=,$(GEMM_PEERS)) $(BENCH_ARGS)

bench-core: $(BUILD)/bench_core ## the loop/GEMM crossover from C
	./$(BUILD)/bench_core crossover

# The BLAS libraries Plexus was measured against (docs/dependencies.md): sgemm at W3's and W4's
# shapes, one thread, for scipy-openblas32, Debian's OpenBLAS and Debian's BLIS, in the
# environment as it is and with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.
$(BUILD)/bench_blas_candidates: benchmarks/bench_blas_candidates.c benchmarks/machine.h | $(BUILD)
	$(CC) $(CWARN) -O2 -o $@ $< -ldl

BLAS_CANDIDATES := openblas-0.3.34=$(OPENBLAS_PEER):scipy_ \
	debian-openblas-0.3.21=$(LIBDIR_ARCH)/libopenblas.so.0 debian-blis-0.9.0=$(BLIS_PEER)

bench-blas: deps bench-deps $(BUILD)/bench_blas_candidates ## sgemm of the BLAS candidates at W3's and W4's shapes
	OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 ./$(BUILD)/bench_blas_candidates $(BLAS_CANDIDATES)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
		./$(BUILD)/bench_blas_candidates $(BLAS_CANDIDATES)

clean: ## remove every build folder
	rm -rf .build .build-release-tests .build-asan .build-tsan .build-fuzz $(BUILD) bindings/python/build bindings/python/plexus.egg-info

bench-graph: python-install ## the graph engine against the dense engine
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench_graph.py

$(BUILD)/bench_rprop: benchmarks/bench_rprop.c benchmarks/machine.h include/plexus.h $(LIB) | $(BUILD) bench-deps
	$(CC) $(CWARN) -O2 -o $@ $< $(CLINK) -lfloatfann -lm

bench-rprop: $(BUILD)/bench_rprop ## RPROP against Adam full-batch, FANN's RPROP beside them (test MSE by epoch)
	./$(BUILD)/bench_rprop

library-size: lib ## what libplexus.so is made of, by symbol owner (docs/performance.md's table)
	$(PYTHON) benchmarks/library_size.py $(LIB)

bench-sklearn-alpha: python-install ## PlexusClassifier against MLPClassifier at four alphas on digits (docs/python.md's table)
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/sklearn_alpha.py

bench-transforms: python-install ## what an input transform costs predict (digits, 1 and 1,797 rows)
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench_transform_cost.py

bench-layer-norm: python-install ## what layer norms cost predict and a training step (784-256-256-10, 512 rows), PyTorch beside
	env -u PLEXUS_LIBRARY $(VENV)/bin/python benchmarks/bench_layer_norm.py

bench-mpi: python-install ## data-parallel training on 1 and 2 ranks
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np 1 $(VENV)/bin/python benchmarks/bench_mpi.py
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1 mpirun --oversubscribe -np 2 $(VENV)/bin/python benchmarks/bench_mpi.py
