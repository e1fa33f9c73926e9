"""Parses Prometheus text exposition from stdin with the reference parser (Debian's
python3-prometheus-client) and prints every sample as one JSON object per line:
{"family": ..., "type": ..., "name": ..., "labels": {...}, "value": ...}.
Exits non-zero (with the parser's message) when the text does not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
for family in text_string_to_metric_families(text):
    for s in family.samples:
        print(json.dumps({"family": family.name, "type": family.type, "name": s.name,
                          "labels": s.labels, "value": s.value}))
