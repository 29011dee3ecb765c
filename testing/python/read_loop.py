"""Reads one shared table with the Python connector again and again until STOP_FILE exists (and at least
three times), printing progress after each read as one JSON line, then a summary line.

Usage: read_loop.py PROFILE SHARE.SCHEMA.TABLE STOP_FILE
"""
import json
import os
import sys

import delta_sharing

profile, table, stop = sys.argv[1:4]
reads = failures = 0
counts = set()
errors = []
while reads + failures < 3 or not os.path.exists(stop):
    try:
        frame = delta_sharing.load_as_pandas(f"{profile}#{table}")
        counts.add(len(frame))
        reads += 1
    except Exception as e:  # every failure counts; the test expects none
        failures += 1
        errors.append(repr(e)[:300])
    print(json.dumps({"reads": reads, "failures": failures}), flush=True)
print(json.dumps({"done": True, "reads": reads, "failures": failures, "counts": sorted(counts), "errors": errors[:5]}), flush=True)
