# SPDX-License-Identifier: Apache-2.0
#
# The front door. Every target installs what it needs first (scripts/deps), so on a fresh
# Debian 12 machine `make run` and `make test` work by themselves.
#
#   make            build everything into build/
#   make test       build, then run every test (unit, engine, fuzz-corpus replay, end to end)
#   make run        run the main job: a workload in a Keep
#   make bench      build optimised, then print native / node / enarx timings and ratios
#   make format     reformat the C sources; make format-check only checks
#   make fuzz       build the libFuzzer targets into build-fuzz/ (FUZZ_SECONDS=N make fuzz-run)
#   make initramfs  build/wyrcan-initramfs.img: Wyrcan's initramfs for Debian's kernel (KVER=...)

BUILD ?= build
MESONFLAGS ?=
SANITIZE_BUILD ?= build-asan
FUZZ_SECONDS ?= 60

.PHONY: all deps build test test-asan run bench format format-check fuzz fuzz-run initramfs clean

all: build

deps:
	@scripts/deps

$(BUILD)/build.ninja:
	@scripts/deps
	meson setup $(BUILD) $(MESONFLAGS) >/dev/null

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: build
	@scripts/run-tests $(BUILD)

test-asan: deps
	@[ -f $(SANITIZE_BUILD)/build.ninja ] || CC=clang meson setup $(SANITIZE_BUILD) \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug $(MESONFLAGS) >/dev/null
	ninja -C $(SANITIZE_BUILD)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    scripts/run-tests $(SANITIZE_BUILD) --suite unit --suite engine --suite fuzz-corpus

run: build
	@scripts/demo $(BUILD)

bench: deps
	@[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release -Dtests=disabled >/dev/null
	ninja -C build-bench >/dev/null
	@bench/run build-bench

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dtests=disabled >/dev/null
	ninja -C build-fuzz

initramfs: build
	@kver=$${KVER:-$$(ls /boot/vmlinuz-* | sort -V | tail -n 1 | sed 's|/boot/vmlinuz-||')}; \
	    src/wyrcan/mkinitramfs $(BUILD)/src/wyrcan/wyrcan "$$kver" $(BUILD)/wyrcan-initramfs.img && \
	    echo "$(BUILD)/wyrcan-initramfs.img (for /boot/vmlinuz-$$kver)"

fuzz-run: fuzz
	@scripts/fuzz-run build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-bench build-fuzz build-ci
