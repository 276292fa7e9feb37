"""Validates YAML files against sfscenario's JSON Schema (read from stdin).

Usage: sfscenario schema | python3 check.py FILE...
Prints one line per file and exits 1 if any file does not match."""
import json
import sys

import jsonschema
import yaml

schema = json.load(sys.stdin)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        errors = list(validator.iter_errors(yaml.safe_load(f)))
    if errors:
        bad += 1
        print(f"{path}: {errors[0].message[:200]}")
    else:
        print(f"{path}: ok")
sys.exit(1 if bad else 0)
