#!/usr/bin/env python3
"""Validates FHIR R4 resources, one JSON object per line on stdin (NDJSON), against the
R4 (4.0.1) models of fhir.resources 6.x: element names, cardinalities and datatypes
(ids, dateTimes, references). Codes bound to required value sets are checked here too,
for the resources wardround writes. Prints one line per problem; exits 1 if any.

    pip install 'fhir.resources==6.5.0' 'pydantic<2'
"""
import json
import sys

from fhir.resources import construct_fhir_element

REQUIRED_CODES = {
    "Task": {
        "status": {"draft", "requested", "received", "accepted", "rejected", "ready",
                   "cancelled", "in-progress", "on-hold", "failed", "completed",
                   "entered-in-error"},
        "intent": {"unknown", "proposal", "plan", "order", "original-order", "reflex-order",
                   "filler-order", "instance-order", "option"},
        "priority": {"routine", "urgent", "asap", "stat"},
    },
}

problems = 0
count = 0
for n, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    count += 1
    try:
        data = json.loads(line)
        kind = data.get("resourceType")
        construct_fhir_element(kind, data)
        for element, codes in REQUIRED_CODES.get(kind, {}).items():
            if element in data and data[element] not in codes:
                raise ValueError(f"{element} {data[element]!r} is not in its R4 value set")
    except Exception as e:  # noqa: BLE001 - every failure is a problem to report
        problems += 1
        print(f"line {n}: {e}")
print(f"{count} resources, {problems} invalid", file=sys.stderr)
sys.exit(1 if problems or not count else 0)
