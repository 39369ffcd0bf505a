#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Draw a held-out set of advisories for the matcher's case tables.

Usage: python3 draw.py SEED DIR TABLE.csv... [-n N] [-years 17-20]

A TABLE that is a directory (csaf/) names every advisory whose document it
holds, so a draw can leave out the advisories of all tables without reading
any table's rows.

DIR is the unpacked shared corpus (csaf-cisa/cisa-ot-2017-2022.tar.xz unpacks
to train/). The pool is every advisory of 2021-2022 (the year in the id; -years
17-20 for 2017-2020) that
no TABLE names in its advisory column; the ids are sorted, shuffled with
Python's random.Random(SEED) and the first N printed (default 30). With the
tables of sets 1-8 and seed 20270415 it prints set 9's advisories first; with
those of sets 1-7 and seed 20270301, set 8's (less icsa-22-063-01).
"""
import csv
import glob
import os
import random
import re
import sys


def main(argv):
    n, years = 30, "21-22"
    if "-years" in argv:
        i = argv.index("-years")
        years = argv[i + 1]
        del argv[i:i + 2]
    if "-n" in argv:
        i = argv.index("-n")
        n = int(argv[i + 1])
        del argv[i:i + 2]
    seed, corpus, tables = int(argv[0]), argv[1], argv[2:]
    named = set()
    for table in tables:
        if os.path.isdir(table):
            # A directory of advisories (csaf/): every document in it is named.
            named.update(os.path.basename(p)[:-len(".json")] for p in glob.glob(os.path.join(table, "*.json")))
            continue
        with open(table, newline="") as f:
            named.update(r["advisory"] for r in csv.DictReader(f))
    ids = sorted(os.path.basename(p)[:-len(".json")] for p in glob.glob(os.path.join(corpus, "*.json")))
    lo, hi = (int(y) for y in years.split("-"))
    pool = [i for i in ids if re.match(r"icsm?a-\d\d-", i) and lo <= int(i.split("-")[1]) <= hi and i not in named]
    print(f"pool: {len(pool)} advisories", file=sys.stderr)
    random.Random(seed).shuffle(pool)
    print("\n".join(pool[:n]))


if __name__ == "__main__":
    main(sys.argv[1:])
