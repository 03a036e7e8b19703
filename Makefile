# Kiln's entry points. `make demo` and `make test` each work from a fresh
# Debian 12 machine: they install the dependencies, configure, build, and
# then do their job.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
LLVM_DIR ?= /usr/lib/llvm-22

# Debian 12 packages the build and the tests need.
DEB_PACKAGES := \
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 \
  liblld-22-dev libflatbuffers-dev flatbuffers-compiler libgtest-dev \
  ninja-build ccache cmake pkg-config zlib1g-dev libzstd-dev \
  python3-torch python3-numpy libopenblas0-openmp dataset-fashion-mnist \
  libpng-dev libcairo2-dev fonts-dejavu-core wamerican python3-sklearn \
  libcli11-dev nlohmann-json3-dev python3-venv libclang-rt-22-dev \
  python3-dev libonnx-dev libprotobuf-dev libonnx-testdata python3-onnx \
  python3-torchvision

# ccache hashes paths relative to the checkout, so that a fresh clone in
# another folder (CI's) reuses what an earlier build compiled.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

CMAKE_FLAGS := \
  -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=$(LLVM_DIR)/bin/clang \
  -DCMAKE_CXX_COMPILER=$(LLVM_DIR)/bin/clang++ \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DLLVM_USE_LINKER=lld \
  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
  -DPython_EXECUTABLE=$(abspath $(BUILD_DIR))/venv/bin/python

.PHONY: all deps configure build test demo bench bench-peers conformance docs \
  clean venv fuzz test-sanitize onnx-conformance

all: build

# Idempotent: installs only what is missing, refreshing the package lists
# once when something is.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else \
	  echo "All Debian packages present."; \
	fi

# The build venv first: the Python package builds with its nanobind.
$(BUILD_DIR)/build.ninja: | deps venv
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build venv
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole ctest suite again with AddressSanitizer and
# UndefinedBehaviorSanitizer in every object (KILN_SANITIZE), in its own
# build directory: any report fails its test (docs/robustness.md).
SANITIZE_BUILD_DIR ?= build-sanitize
SANITIZER_ENV := \
  ASAN_OPTIONS=allocator_may_return_null=1:detect_stack_use_after_return=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lit/lsan.supp:print_suppressions=0
test-sanitize: deps venv
	cmake -S . -B $(SANITIZE_BUILD_DIR) $(CMAKE_FLAGS) \
	  -DKILN_SANITIZE=address,undefined
	cmake --build $(SANITIZE_BUILD_DIR) -j $(JOBS)
	rm -rf $(SANITIZE_BUILD_DIR)/venv && ln -s $(abspath $(VENV)) $(SANITIZE_BUILD_DIR)/venv
	cd $(SANITIZE_BUILD_DIR) && $(SANITIZER_ENV) \
	  ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Every libFuzzer target (tests/fuzz) for FUZZ_SECONDS each, growing its
# corpus under build/fuzz; a crash stops the run and leaves its input
# there (build/fuzz/NAME-crash-*), to become a regression input in
# tests/fuzz/regressions/NAME. `make test` runs each for 20,000 inputs
# (kilnc, the whole compiler: 60).
# Then kiln-run train killed (-9) 50 times (make test: 5).
FUZZ_SECONDS ?= 600
FUZZERS := kiln kilnc kmod checkpoint npy csv idx
fuzz: build
	@for f in $(FUZZERS); do \
	  tests/fuzz/run_fuzzer.sh $(BUILD_DIR)/fuzz/$$f-fuzzer $$f-fuzzer \
	    $(CURDIR) $(abspath $(BUILD_DIR)) seconds=$(FUZZ_SECONDS) || exit 1; \
	done
	/usr/bin/python3 tests/faults/kill_during_training.py --kills 50 \
	  --kilnc $(BUILD_DIR)/bin/kilnc --kiln-run $(BUILD_DIR)/bin/kiln-run \
	  --source $(CURDIR)

# Python packages from PyPI, pinned, in a virtual environment under the
# build directory, never in the system Python: test-only ones
# (tests/requirements.txt: TensorBoard's event reader) and what the Python
# package builds and tests with (runtime/bindings/python/requirements.txt:
# nanobind, pytest).
VENV := $(BUILD_DIR)/venv
venv: $(VENV)/.installed
$(VENV)/.installed: tests/requirements.txt \
    runtime/bindings/python/requirements.txt | deps
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check \
	  -r tests/requirements.txt -r runtime/bindings/python/requirements.txt
	touch $@

# The main job: compile LeNet, train it on Debian's Fashion-MNIST for three
# epochs (validation each epoch, a checkpoint after each), test it, and time
# its inference.
demo: build
	@echo "== models/lenet.kiln compiled to native code in one module =="
	$(BUILD_DIR)/bin/kilnc models/lenet.kiln -o $(BUILD_DIR)/lenet.kmod
	$(BUILD_DIR)/bin/kiln-run info $(BUILD_DIR)/lenet.kmod
	@echo "== trained on Fashion-MNIST (60,000 images: 55,000 train, 5,000 validation; 10,000 test) =="
	$(BUILD_DIR)/bin/kiln-run train $(BUILD_DIR)/lenet.kmod --data fashion-mnist \
	  --epochs 3 --batch 64 --checkpoint $(BUILD_DIR)/lenet.ckpt
	@echo "== judged on the 10,000 test images: per class, and where it errs =="
	$(BUILD_DIR)/bin/kiln-run eval $(BUILD_DIR)/lenet.kmod --checkpoint $(BUILD_DIR)/lenet.ckpt \
	  --plot $(BUILD_DIR)/lenet-plots
	@echo "(confusion matrix drawn in $(BUILD_DIR)/lenet-plots/confusion.png)"
	@echo "== the trained model's inference, timed at batch 1 and 64 =="
	$(BUILD_DIR)/bin/kiln-run bench $(BUILD_DIR)/lenet.kmod --batch 1 --repeat 200
	$(BUILD_DIR)/bin/kiln-run bench $(BUILD_DIR)/lenet.kmod --batch 64

# Kiln against PyTorch (OpenBLAS) in one run; see docs/performance.md.
# PyTorch runs with the OpenMP OpenBLAS, which does not fight its thread pool.
# Full training runs of the zoo on real data (docs/models.md records their
# results): make train-<model>. Each compiles the model, trains it with a
# checkpoint in build/runs/, and prints the per-epoch and final scores.
RUNS := $(BUILD_DIR)/runs
FASHION := --data fashion-mnist
TRAIN_ARGS_mlp := $(FASHION) --epochs 3
TRAIN_ARGS_lenet := $(FASHION) --epochs 3
TRAIN_ARGS_mobilenet := $(FASHION) --epochs 1
TRAIN_ARGS_cnn32 := $(FASHION) --epochs 1
TRAIN_ARGS_rnn_classifier := $(FASHION) --epochs 2 --lr 0.003
TRAIN_ARGS_gru_classifier := $(FASHION) --epochs 2 --lr 0.003
TRAIN_ARGS_bilstm_classifier := $(FASHION) --epochs 2 --lr 0.003
TRAIN_ARGS_autoencoder := $(FASHION) --epochs 3
TRAIN_ARGS_denoising_autoencoder := $(FASHION) --epochs 3
TRAIN_ARGS_vae := $(FASHION) --epochs 3
TRAIN_ARGS_gan := $(FASHION) --epochs 5 --pixel-range -1,1 --lr-schedule constant --samples $(RUNS)/gan-samples
TRAIN_ARGS_dcgan := $(FASHION) --epochs 5 --pixel-range -1,1 --lr-schedule constant --samples $(RUNS)/dcgan-samples
TRAIN_ARGS_logistic_regression := $(FASHION) --epochs 3 --lr 0.1
TRAIN_ARGS_linear_svm := $(FASHION) --epochs 3 --lr 0.1
TRAIN_ARGS_char_lstm := --data words --test-fraction 0.1 --epochs 3
TRAIN_ARGS_linear_regression := --data diabetes --scale standard --lr 0.02 --epochs 300 --batch 32 --validation 0
TRAIN_MODELS := $(patsubst TRAIN_ARGS_%,%,$(filter TRAIN_ARGS_%,$(.VARIABLES)))
TRAIN_TARGETS := $(addprefix train-,$(TRAIN_MODELS))
.PHONY: $(TRAIN_TARGETS)

$(TRAIN_TARGETS): train-%: build
	@mkdir -p $(RUNS)
	$(BUILD_DIR)/bin/kilnc models/$*.kiln -o $(RUNS)/$*.kmod
	$(BUILD_DIR)/bin/kiln-run train $(RUNS)/$*.kmod $(TRAIN_ARGS_$*) \
	  --checkpoint $(RUNS)/$*.ckpt --json | tee $(RUNS)/$*.json

# The op matrix (every op, size, batch and pass configuration) and
# generated models, both checked against PyTorch (docs/conformance.md);
# `make test` runs a slice of each. CONFORMANCE_ARGS="--first 5000" picks
# other seeds.
CONFORMANCE_COUNT ?= 2000
conformance: build
	/usr/bin/python3 tests/conformance/op_matrix.py --full \
	  --kilnc $(BUILD_DIR)/bin/kilnc --kiln-run $(BUILD_DIR)/bin/kiln-run
	/usr/bin/python3 tests/conformance/random_models.py \
	  --kilnc $(BUILD_DIR)/bin/kilnc --kiln-run $(BUILD_DIR)/bin/kiln-run \
	  --count $(CONFORMANCE_COUNT) $(CONFORMANCE_ARGS)

# Every case of the ONNX backend test suite (Debian's libonnx-testdata, ONNX
# 1.12, and onnx 1.22's from PyPI in the test venv) through kilnc and
# kiln-run, tabulated in build/onnx-conformance.md (docs/onnx.md has the
# last run's). `make test` runs the passing ones (tests/onnx).
ONNX_SUITE := $(VENV)/lib/python3.11/site-packages/onnx/backend/test/data
DEBIAN_ONNX_SUITE := /usr/share/libonnx-testdata/data
onnx-conformance: build venv
	$(VENV)/bin/python tests/onnx/backend_suite.py \
	  --kilnc $(BUILD_DIR)/bin/kilnc --kiln-run $(BUILD_DIR)/bin/kiln-run \
	  $(foreach s,node pytorch-converted pytorch-operator simple,\
	    --suite debian-$(s)=$(DEBIAN_ONNX_SUITE)/$(s)) \
	  $(foreach s,node pytorch-converted pytorch-operator simple,\
	    --suite onnx-1.22-$(s)=$(ONNX_SUITE)/$(s)) \
	  --json $(BUILD_DIR)/onnx-conformance.json \
	  --markdown $(BUILD_DIR)/onnx-conformance.md \
	  --write-expected $(BUILD_DIR)/onnx-expected-passes.txt $(ONNX_ARGS)

bench: build bench-peers
	LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
	  /usr/bin/python3 bench/bench.py --kilnc $(BUILD_DIR)/bin/kilnc \
	  --kiln-run $(BUILD_DIR)/bin/kiln-run --source . --json $(BUILD_DIR)/bench.json \
	  --peers-python $(BENCH_VENV)/bin/python --python-package $(BUILD_DIR)/python \
	  $(BENCH_ARGS)

# The peers from PyPI (bench/requirements.txt, pinned: ONNX Runtime, ONNX)
# in their own virtual environment under the build directory.
BENCH_VENV := $(BUILD_DIR)/bench-venv
bench-peers: $(BENCH_VENV)/.installed
$(BENCH_VENV)/.installed: bench/requirements.txt | deps
	/usr/bin/python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check \
	  -r bench/requirements.txt
	touch $@

docs: build
	cmake --build $(BUILD_DIR) --target kiln-docs

clean:
	rm -rf $(BUILD_DIR)
