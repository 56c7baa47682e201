/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/parse_bench: cost of apps/httpd's request parser, router and
 * response-head formatter per keep-alive request, as tcpe-httpd spends
 * it (http_parse() to HEAD and DONE, http_route() twice as on_head() and
 * on_done() do, http_format_head_allow() for the answer).
 *
 *	cc -O2 -g -Iapps/httpd bench/parse_bench.c apps/httpd/http_parse.c \
 *	    -o build/parse_bench
 *	build/parse_bench [N] [which]
 *	valgrind --tool=callgrind --toggle-collect=one_request \
 *	    build/parse_bench 100000
 *
 * which: "load" (tcpe-load's request, the default), "wrk", "curl",
 * "browser" (a 400-byte request with the headers a browser sends),
 * "split" (the load request fed in 3 views), "all" (each in turn).
 * Prints ns per request; callgrind's Ir of one_request divided by N is
 * the instructions per request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_parse.h"

static const char req_load[] =
    "GET / HTTP/1.1\r\nHost: 198.18.0.2\r\nUser-Agent: tcpe-load\r\n\r\n";
static const char req_wrk[] =
    "GET / HTTP/1.1\r\nHost: 198.18.0.2:80\r\n\r\n";
static const char req_curl[] =
    "GET /bytes/20 HTTP/1.1\r\nHost: 198.18.0.2\r\n"
    "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
static const char req_browser[] =
    "GET /index.html?lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) "
    "Gecko/20100101 Firefox/120.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
    "image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Cache-Control: max-age=0\r\n\r\n";

static char out[512];
static volatile size_t sink;

/* One request as tcpe-httpd handles it; abort()s on a surprise. */
__attribute__((noinline)) static void
one_request(struct http_parser *p, const uint8_t *d, size_t len,
    size_t cut1, size_t cut2)
{
	const size_t cuts[3] = { cut1, cut2, len };
	struct http_route rt;
	size_t from = 0, used, k;
	int ev = HTTP_PARSE_AGAIN;

	for (k = 0; k < 3 && ev == HTTP_PARSE_AGAIN; k++) {
		ev = http_parse(p, d + from, cuts[k] - from, &used);
		from += used;
		if (ev == HTTP_PARSE_AGAIN)
			from = cuts[k];
	}
	if (ev != HTTP_PARSE_HEAD || from != len)
		abort();
	(void)http_route(p->req.method, p->req.target,
	    HTTP_DEFAULT_BYTES_MAX, &rt);
	if (http_parse(p, d + from, 0, &used) != HTTP_PARSE_DONE)
		abort();
	(void)http_route(p->req.method, p->req.target,
	    HTTP_DEFAULT_BYTES_MAX, &rt);
	sink += http_format_head_allow(out, sizeof(out), rt.status, 216,
	    p->req.keep_alive, "text/html; charset=utf-8", rt.allow);
}

static void
bench(const char *name, const char *req, long n, int split)
{
	struct http_parser p;
	size_t len = strlen(req);
	struct timespec a, b;
	long i;

	http_parser_init(&p, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		one_request(&p, (const uint8_t *)req, len,
		    split ? len / 3 : len, split ? 2 * len / 3 : len);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%-8s %4zu bytes  %7.1f ns/request\n", name, len,
	    ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *w = argc > 2 ? argv[2] : "load";
	int all = strcmp(w, "all") == 0;

	if (n <= 0)
		n = 1;
	if (all || strcmp(w, "load") == 0)
		bench("load", req_load, n, 0);
	if (all || strcmp(w, "wrk") == 0)
		bench("wrk", req_wrk, n, 0);
	if (all || strcmp(w, "curl") == 0)
		bench("curl", req_curl, n, 0);
	if (all || strcmp(w, "browser") == 0)
		bench("browser", req_browser, n, 0);
	if (all || strcmp(w, "split") == 0)
		bench("split", req_load, n, 1);
	return 0;
}
