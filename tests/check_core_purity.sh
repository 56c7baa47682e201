#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The protocol core must stay pure C11 (DESIGN.md section 1): no DPDK, no
# libnuma, nothing but libc and its own headers. Fails when
#   1. "rte_" (or an RTE_ macro) appears anywhere under the core directory;
#   2. a core file includes a <header> that is not a libc header, or a
#      "header" that is not a file of the core itself;
#   3. the built static library references an undefined rte_* or numa_*
#      symbol (nm -u).
#
# Usage: check_core_purity.sh CORE_DIR [LIBTCPE_CORE.a]
#        check_core_purity.sh --self-test   (proves that each check can fail)
set -uo pipefail

# C11 headers plus the few POSIX/glibc ones a sans-IO core may need.
LIBC_HEADERS="assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h
iso646.h limits.h locale.h math.h setjmp.h signal.h stdalign.h stdarg.h
stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h
string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h strings.h
endian.h sys/types.h"

check() {
	local dir=$1 lib=${2:-} fail=0 hits f line hdr

	if [[ ! -d "$dir" ]]; then
		echo "core-purity: no such directory: $dir" >&2
		return 2
	fi

	# 1. No DPDK identifiers, not even in comments or build files.
	hits=$(grep -rnI -e 'rte_' -e '\bRTE_' "$dir" || true)
	if [[ -n "$hits" ]]; then
		echo "core-purity: DPDK identifiers under $dir:"
		echo "$hits"
		fail=1
	fi

	# 2. Includes: libc <headers> and the core's own "headers" only.
	while IFS= read -r line; do
		f=${line%%:*}
		if [[ "$line" =~ \#[[:space:]]*include[[:space:]]*\<([^\>]+)\> ]]; then
			hdr=${BASH_REMATCH[1]}
			if ! grep -qxF "$hdr" <(tr ' ' '\n' <<<"$LIBC_HEADERS" | tr -s '\n'); then
				echo "core-purity: non-libc include: $line"
				fail=1
			fi
		elif [[ "$line" =~ \#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
			hdr=${BASH_REMATCH[1]}
			if [[ "$hdr" == */* || ! -f "$dir/$hdr" ]]; then
				echo "core-purity: include of a file outside the core: $line"
				fail=1
			fi
		else
			echo "core-purity: unrecognised include: $line"
			fail=1
		fi
	done < <(grep -rnI --include='*.[ch]' -E '^[[:space:]]*#[[:space:]]*include' "$dir" || true)

	# 3. The library links against nothing DPDK or libnuma.
	if [[ -n "$lib" ]]; then
		if [[ ! -f "$lib" ]]; then
			echo "core-purity: no such library: $lib" >&2
			return 2
		fi
		hits=$(nm -u "$lib" 2>/dev/null | awk '$NF ~ /^(rte_|numa_)/ { print $NF }' | sort -u)
		if [[ -n "$hits" ]]; then
			echo "core-purity: $lib references undefined DPDK/numa symbols:"
			echo "$hits"
			fail=1
		fi
	fi

	if [[ $fail -ne 0 ]]; then
		echo "core-purity: FAILED"
		return 1
	fi
	echo "core-purity: ok ($(find "$dir" -name '*.[ch]' | wc -l) files${lib:+, $(basename "$lib") clean})"
	return 0
}

# Run each check on a doctored copy and expect it to fail; also expect a
# clean copy to pass. Exit 0 when the checker behaves.
self_test() {
	local here tmp bad=0 cc=${CC:-cc}
	here=$(cd "$(dirname "$0")" && pwd)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN

	mkdir -p "$tmp/clean"
	cat >"$tmp/clean/tcpe_x.h" <<'H'
#include <stdint.h>
uint32_t tcpe_x(uint32_t a);
H
	cat >"$tmp/clean/tcpe_x.c" <<'C'
#include <string.h>
#include "tcpe_x.h"
uint32_t tcpe_x(uint32_t a) { return a + (uint32_t)strlen("x"); }
C
	expect() {	# expect <0|1> <label> <args...>
		local want=$1 label=$2 rc
		shift 2
		check "$@" >"$tmp/out" 2>&1
		rc=$?
		if [[ ( $want -eq 0 && $rc -ne 0 ) || ( $want -ne 0 && $rc -eq 0 ) ]]; then
			echo "self-test: $label: expected $([[ $want -eq 0 ]] && echo pass || echo failure), got rc=$rc"
			cat "$tmp/out"
			bad=1
		else
			echo "self-test: $label: ok"
		fi
	}
	mk() {	# copy of the clean tree
		rm -rf "$tmp/$1"
		cp -r "$tmp/clean" "$tmp/$1"
	}

	expect 0 "clean tree passes" "$tmp/clean"

	mk ident; echo '/* uses rte_pktmbuf_free */' >>"$tmp/ident/tcpe_x.c"
	expect 1 "rte_ in a comment" "$tmp/ident"

	mk macro; echo '#define X RTE_MAX_LCORE' >>"$tmp/macro/tcpe_x.h"
	expect 1 "RTE_ macro" "$tmp/macro"

	mk inc; sed -i '1i #include <numa.h>' "$tmp/inc/tcpe_x.c"
	expect 1 "#include <numa.h>" "$tmp/inc"

	mk inc2; sed -i '1i #include "../port/tcpe_port.h"' "$tmp/inc2/tcpe_x.c"
	expect 1 "#include of a header outside the core" "$tmp/inc2"

	mk inc3; sed -i '1i #include <sys/socket.h>' "$tmp/inc3/tcpe_x.c"
	expect 1 "#include <sys/socket.h>" "$tmp/inc3"

	if command -v "$cc" >/dev/null 2>&1 && command -v ar >/dev/null 2>&1; then
		mk lib
		# A symbol reference that a source grep would not see (built
		# by token pasting), caught only in the archive.
		cat >"$tmp/lib/tcpe_y.c" <<'C'
#define CAT(a, b) a##b
void CAT(r, te_eal_init)(void);
void tcpe_y(void) { CAT(r, te_eal_init)(); }
C
		"$cc" -c -o "$tmp/y.o" "$tmp/lib/tcpe_y.c" &&
		    "$cc" -c -I"$tmp/lib" -o "$tmp/x.o" "$tmp/lib/tcpe_x.c" &&
		    ar rcs "$tmp/libbad.a" "$tmp/x.o" "$tmp/y.o" &&
		    ar rcs "$tmp/libgood.a" "$tmp/x.o"
		expect 1 "undefined rte_ symbol in the archive" "$tmp/lib" "$tmp/libbad.a"
		expect 0 "clean archive passes" "$tmp/clean" "$tmp/libgood.a"
	else
		echo "self-test: no $cc/ar: archive check not exercised"
		bad=1
	fi

	# The real core with one DPDK include added must fail too (whether
	# the real core passes as it is, is the job of the check itself).
	if [[ -n "$here" && -d "$here/../lib/core" ]]; then
		rm -rf "$tmp/real"; cp -r "$here/../lib/core" "$tmp/real"
		echo '#include <rte_mbuf.h>' >>"$tmp/real/tcpe_types.h"
		expect 1 "copy of lib/core with <rte_mbuf.h> added" "$tmp/real"
	fi

	[[ $bad -eq 0 ]] && echo "core-purity self-test: ok" || echo "core-purity self-test: FAILED"
	return $bad
}

if [[ "${1:-}" == "--self-test" ]]; then
	self_test
	exit $?
fi
if [[ $# -lt 1 || $# -gt 2 ]]; then
	echo "usage: $0 CORE_DIR [LIBTCPE_CORE.a] | --self-test" >&2
	exit 2
fi
check "$@"
