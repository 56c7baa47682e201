#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The project's test command (README "Testing"; CI runs it via .ci/run).
#
#   ./scripts/test.sh              everything, in this order:
#       unit    build/ (debugoptimized, gcc): build, meson test
#               (unit tests, the demo, the core purity check)
#       integration  build/: meson test --suite integration, the apps on
#               net_tap inside a network namespace against curl, ab, wrk
#               (needs root; tests/integration/)
#       asan    build-asan/: the same with -fsanitize=address,undefined
#               (UB aborts); the purity check and the integration tests
#               are not repeated there
#       purity  the core purity check on lib/core and build/'s
#               libtcpe_core.a, and its self-test
#       fuzz    build-fuzz/ (CC=clang, -Dfuzz=enabled): every fuzz target
#               for TCPE_FUZZ_TIME seconds (default 20) from its seed corpus
#   ./scripts/test.sh unit asan    only the steps named (any of the above)
#   ./scripts/test.sh matrix       not a default step: the loss matrix's
#               full profile (64 MiB each way, every cell), engine to
#               engine (xfer_matrix) and against the kernel on net_tap
#               (matrix_tap.sh, needs root); goodput per cell in
#               build/matrix-e2e.tsv and build/matrix-tap.tsv
#
# Installs missing Debian packages first (scripts/deps.sh). Exits non-zero
# on any failure and ends with the line "tests: N passed, N failed", where
# N counts meson tests, fuzz runs and checks (a failed build counts as one
# failure).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

FUZZ_TIME=${TCPE_FUZZ_TIME:-20}
FUZZ_RSS_MB=${TCPE_FUZZ_RSS_MB:-2048}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

passed=0
failed=0
skipped=0
failures=()
t0=$SECONDS

say() {
	printf '\n=== %s\n' "$*"
}

fail() {
	failed=$((failed + 1))
	failures+=("$1")
	echo "FAILED: $1"
}

# meson setup DIR [options...]: configure once, reconfigure when the options
# or the set of source files may have changed (cheap), wipe a broken dir.
setup() {
	local dir=$1 log
	shift
	log=$(mktemp)
	if [[ -f "$dir/build.ninja" ]]; then
		if meson setup --reconfigure "$dir" "$@" >"$log" 2>&1; then
			rm -f "$log"
			return 0
		fi
		cat "$log"
		echo "meson setup --reconfigure $dir failed; wiping it"
		rm -rf "$dir"
	fi
	if meson setup "$dir" "$@" >"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	cat "$log"
	rm -f "$log"
	return 1
}

# mtest DIR LABEL [SUITES-TO-SKIP [ONLY-SUITE]]: run the meson tests of DIR
# whose program was built (meson test refuses to run anything if one is
# missing; those count as failed), leaving out the suites in the
# space-separated SUITES-TO-SKIP, or keeping only ONLY-SUITE, and add up
# the results from testlog.json.
mtest() {
	local dir=$1 label=$2 skip=${3:-} only=${4:-} sel p f s
	local -a names missing
	sel=$(meson introspect "$dir" --tests | python3 -c '
import json, os, sys
skip, only = sys.argv[1].split(), sys.argv[2]
for t in json.load(sys.stdin):
    if any(("tcpe:" + k) in t["suite"] for k in skip):
        continue
    if only and ("tcpe:" + only) not in t["suite"]:
        continue
    print(("ok " if os.path.exists(t["cmd"][0]) else "missing ") + t["name"])
' "$skip" "$only") || { fail "$label: meson introspect"; return; }
	names=($(awk '$1 == "ok" { print $2 }' <<<"$sel"))
	missing=($(awk '$1 == "missing" { print $2 }' <<<"$sel"))
	for f in "${missing[@]}"; do
		fail "$label: $f (not built)"
	done
	if [[ ${#names[@]} -eq 0 ]]; then
		[[ ${#missing[@]} -gt 0 ]] || fail "$label: no test ran"
		return
	fi
	rm -f "$dir/meson-logs/testlog.json"
	if [[ -n "$only" ]]; then
		# One at a time, output as it comes (these tests are long).
		meson test -C "$dir" --no-rebuild --print-errorlogs -v \
		    --num-processes 1 "${names[@]}"
	else
		meson test -C "$dir" --no-rebuild --print-errorlogs "${names[@]}"
	fi
	if [[ ! -f "$dir/meson-logs/testlog.json" ]]; then
		fail "$label: meson test wrote no log"
		return
	fi
	read -r p f s < <(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
	)
	passed=$((passed + p))
	skipped=$((skipped + s))
	if [[ "$f" -gt 0 ]]; then
		failed=$((failed + f))
		failures+=("$label: $f meson test(s) failed")
	fi
}

step_unit() {
	say "unit: build/ (gcc, debugoptimized)"
	if ! setup build; then
		fail "build: meson setup"
		return
	fi
	# Keep going past a target that does not compile: the tests that
	# did build still run (the missing ones count as failed).
	if ! ninja -C build -k 0; then
		fail "build: compile"
	fi
	mtest build unit integration
}

step_integration() {
	say "integration: build/, the apps on net_tap (tests/integration)"
	if [[ ! -f build/build.ninja ]] && ! setup build; then
		fail "build: meson setup"
		return
	fi
	if ! ninja -C build -k 0; then
		fail "build: compile"
	fi
	mtest build integration "" integration
}

step_asan() {
	say "asan: build-asan/ (AddressSanitizer + UBSan)"
	if ! setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
		fail "build-asan: meson setup"
		return
	fi
	if ! ninja -C build-asan -k 0; then
		fail "build-asan: compile"
	fi
	mtest build-asan asan "checks integration"
}

step_purity() {
	local lib=build/lib/core/libtcpe_core.a args=()
	say "purity: lib/core is pure C11"
	if [[ -f "$lib" ]]; then
		args=("$lib")
	else
		echo "($lib not built: source checks only)"
	fi
	if tests/check_core_purity.sh lib/core "${args[@]}"; then
		passed=$((passed + 1))
	else
		fail "core purity"
	fi
	if tests/check_core_purity.sh --self-test; then
		passed=$((passed + 1))
	else
		fail "core purity self-test"
	fi
}

step_fuzz() {
	local t name short corpus seeds dict art log rc opts
	say "fuzz: build-fuzz/ (clang, libFuzzer, ${FUZZ_TIME}s per target)"
	if ! command -v clang >/dev/null 2>&1; then
		echo "clang not found: fuzz targets skipped"
		skipped=$((skipped + 1))
		return
	fi
	if ! CC=clang setup build-fuzz -Dfuzz=enabled -Dtests=disabled; then
		fail "build-fuzz: meson setup"
		return
	fi
	if ! ninja -C build-fuzz -k 0; then
		fail "build-fuzz: compile"
	fi
	# One target per source file (a stale binary of a deleted source is
	# not run).
	shopt -s nullglob
	local srcs=(tests/fuzz/fuzz_*.c)
	shopt -u nullglob
	if [[ ${#srcs[@]} -eq 0 ]]; then
		echo "no fuzz targets"
		return
	fi
	for t in "${srcs[@]}"; do
		t=build-fuzz/tests/fuzz/$(basename "$t" .c)
		if [[ ! -x "$t" ]]; then
			fail "fuzz $(basename "$t") (not built)"
			continue
		fi
		name=$(basename "$t")
		short=${name#fuzz_}
		# Work corpus in the build dir (libFuzzer writes new inputs to
		# the first directory); the seeds in the tree stay read-only.
		corpus=build-fuzz/corpus/$name
		art=build-fuzz/artifacts/$name
		mkdir -p "$corpus" "$art"
		seeds=()
		for d in "tests/fuzz/corpus/$name" "tests/fuzz/corpus/$short"; do
			[[ -d "$d" ]] && seeds+=("$d")
		done
		opts=(-max_total_time="$FUZZ_TIME" -rss_limit_mb="$FUZZ_RSS_MB"
		    -timeout=10 -print_final_stats=1 -artifact_prefix="$art/")
		for d in "tests/fuzz/$name.dict" "tests/fuzz/$short.dict"; do
			if [[ -f "$d" ]]; then
				opts+=(-dict="$d")
				break
			fi
		done
		log=build-fuzz/$name.log
		echo "--- $name: ${opts[*]} $corpus ${seeds[*]}"
		timeout $((FUZZ_TIME + 120)) "$t" "${opts[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
		rc=$?
		if [[ $rc -eq 0 ]]; then
			passed=$((passed + 1))
			grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' "$log" | sed "s/^/$name: /"
		else
			tail -n 60 "$log"
			ls "$art" 2>/dev/null | sed "s|^|$name: artifact $art/|"
			fail "fuzz $name (rc=$rc, log $log)"
		fi
	done
}

# The loss matrix, full profile (README "The loss matrix"): both programs
# bound their own time; each failed cell is one failure.
step_matrix() {
	local t=$SECONDS rc prefix=tcpe-matrix-full
	local xm=build/tests/integration/xfer_matrix
	local httpd=build/apps/httpd/tcpe-httpd
	say "matrix: the loss matrix, full profile (64 MiB each way)"
	if [[ ! -f build/build.ninja ]] && ! setup build; then
		fail "build: meson setup"
		return
	fi
	if ! ninja -C build -k 0; then
		fail "build: compile"
	fi
	if [[ -x "$xm" ]]; then
		"$xm" --no-huge -m 512 --no-pci -l 0 --file-prefix "$prefix" \
		    --log-level warning -- --out build/matrix-e2e.tsv
		rc=$?
		rm -rf "/var/run/dpdk/$prefix"
		if [[ $rc -eq 0 ]]; then
			passed=$((passed + 1))
		else
			fail "matrix: engine to engine (xfer_matrix rc $rc; build/matrix-e2e.tsv)"
		fi
	else
		fail "matrix: $xm (not built)"
	fi
	echo "matrix: engine to engine took $((SECONDS - t)) s"
	t=$SECONDS
	if [[ -x "$httpd" ]]; then
		tests/integration/matrix_tap.sh --httpd "$httpd" \
		    --out build/matrix-tap.tsv
		rc=$?
		if [[ $rc -eq 0 ]]; then
			passed=$((passed + 1))
		elif [[ $rc -eq 77 ]]; then
			skipped=$((skipped + 1))
		else
			fail "matrix: against the kernel (matrix_tap.sh rc $rc; build/matrix-tap.tsv)"
		fi
	else
		fail "matrix: $httpd (not built)"
	fi
	echo "matrix: against the kernel took $((SECONDS - t)) s"
	echo "matrix: goodput per cell in $ROOT/build/matrix-e2e.tsv and $ROOT/build/matrix-tap.tsv"
}

ALL=(unit integration asan purity fuzz)
steps=("$@")
if [[ ${#steps[@]} -eq 0 || "${steps[0]}" == all ]]; then
	steps=("${ALL[@]}")
fi
for s in "${steps[@]}"; do
	case "$s" in
	unit | integration | asan | purity | fuzz | matrix) ;;
	-h | --help)
		sed -n '3,29p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "test.sh: unknown step '$s' (steps: ${ALL[*]} matrix)" >&2
		exit 2
		;;
	esac
done

if ! ./scripts/deps.sh; then
	fail "deps.sh"
else
	for s in "${steps[@]}"; do
		"step_$s"
	done
fi

say "summary ($((SECONDS - t0)) s)"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
if [[ $skipped -gt 0 ]]; then
	echo "($skipped skipped)"
fi
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
