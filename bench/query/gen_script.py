#!/usr/bin/env python3
"""A BigQuery SQL script of at least N lines (default 2000) for bench/query:
the translatable fixtures of tests/fixtures/sql (seed 002's statements,
MERGE, DDL, dates, JSON, UNNEST, ...) one after the other, as statements,
until the script is long enough."""
import glob
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "..", "tests", "fixtures", "sql")
lines_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
stmts = []
for path in sorted(glob.glob(os.path.join(fixtures, "*.bq.sql"))):
    name = path[: -len(".bq.sql")]
    if not os.path.exists(name + ".duckdb.sql"):
        continue  # refusals
    text = open(path).read().strip().rstrip(";")
    if text.startswith("--") and "\n" not in text:
        continue
    stmts.append(text)
out, n, i = [], 0, 0
while n < lines_wanted:
    s = stmts[i % len(stmts)] + ";\n"
    out.append(s)
    n += s.count("\n")
    i += 1
sys.stdout.write("".join(out))
