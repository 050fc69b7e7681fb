#!/usr/bin/env python3
"""Checks recorded API answers against docs/openapi.yaml: each status must be documented for its path and method,
and each JSON body must match the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).

    scripts/check-openapi.py docs/openapi.yaml answers.json
answers.json: [{"path": "/api/predict", "method": "post", "status": 200, "body": {...}}, ...]
Exit 0 when all match; else one line per mismatch and exit 1.
"""
import json
import sys

import jsonschema
import yaml


def main(spec_path, answers_path):
    spec = yaml.safe_load(open(spec_path))
    answers = json.load(open(answers_path))
    problems = []
    for a in answers:
        where = f"{a['method'].upper()} {a['path']} {a['status']}"
        operation = spec["paths"].get(a["path"], {}).get(a["method"])
        if operation is None:
            # A route that does not exist: 404 with the error object.
            if a["status"] != 404:
                problems.append(f"{where}: path or method not in the spec, and not answered 404")
                continue
            operation = {"responses": {"404": spec["components"]["responses"]["Error"]}}
        response = operation["responses"].get(str(a["status"]))
        if response is None:
            problems.append(f"{where}: status not documented (documented: {', '.join(operation['responses'])})")
            continue
        if "$ref" in response:
            response = resolve(spec, response["$ref"])
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            continue
        # Validate against the whole document so that #/components/... references resolve.
        root = dict(spec)
        root.update(schema)
        validator = jsonschema.Draft202012Validator(root)
        for error in validator.iter_errors(a["body"]):
            path = "/".join(str(p) for p in error.absolute_path) or "(body)"
            problems.append(f"{where}: {path}: {error.message[:300]}")
    for p in problems:
        print(p)
    print(f"checked {len(answers)} answers against {spec_path}: {len(problems)} mismatches", file=sys.stderr)
    return 1 if problems else 0


def resolve(spec, ref):
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
