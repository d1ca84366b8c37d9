#!/usr/bin/env python3
"""Sums the test results (xunit trx files) under a directory.

  test-summary.py DIR skips   -> how many tests were skipped and why, one line per distinct reason
  test-summary.py DIR counts  -> the plain line "N passed, N failed" (a run with no result at all counts as failed)
"""
import collections
import glob
import sys
import xml.etree.ElementTree as ET

directory, mode = sys.argv[1], sys.argv[2]
passed = failed = 0
reasons = collections.Counter()
for path in glob.glob(directory + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    counters = root.find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            # xunit writes the skip reason as the result's output.
            reason = (result.findtext("{*}Output/{*}StdOut") or "no reason given").strip().splitlines()[0]
            reasons[reason] += 1

if mode == "skips":
    total = sum(reasons.values())
    if total == 0:
        print("0 skipped")
    else:
        print(f"{total} skipped (these tests could not run here; see README, 'Running the tests'):")
        for reason, count in sorted(reasons.items(), key=lambda r: (-r[1], r[0])):
            print(f"  {count} skipped: {reason}")
elif mode == "counts":
    if passed + failed == 0:
        failed = 1
    print(f"{passed} passed, {failed} failed")
else:
    sys.exit(f"unknown mode {mode}")
