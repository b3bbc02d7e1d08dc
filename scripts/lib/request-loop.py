#!/usr/bin/env python3
"""Sends exactly COUNT requests over CONNECTIONS kept HTTP connections and fails unless every answer is 200.

    request-loop.py URL COUNT [--connections N] [--basic B64] [--body FORM]

scripts/profile drives the pool with it: a fixed number of requests (wrk runs for a time, not a count), so
instruction counts can be divided by requests. POST with --body (form-encoded), else GET.
"""
import argparse
import http.client
import sys
import threading
import urllib.parse


def worker(url, count, headers, body, failures):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    method = "POST" if body is not None else "GET"
    for _ in range(count):
        conn.request(method, parts.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            failures.append(response.status)
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--basic")
    parser.add_argument("--body")
    args = parser.parse_args()
    headers = {}   # no User-Agent, as wrk sends none
    if args.basic:
        headers["Authorization"] = "Basic " + args.basic
    if args.body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    failures = []
    share, rest = divmod(args.count, args.connections)
    threads = [threading.Thread(target=worker, args=(args.url, share + (1 if i < rest else 0), headers, args.body, failures))
               for i in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"{len(failures)} of {args.count} answers were not 200 (first: {failures[0]})")


if __name__ == "__main__":
    main()
