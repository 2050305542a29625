#!/usr/bin/env python3
"""Where the API's description and its answers part.

The API tests keep every answer they receive when SANAD_OPENAPI_SAMPLES names a file:

    SANAD_OPENAPI_SAMPLES=/tmp/samples.jsonl build/tests/sanad_tests --gtest_filter='*Api*'
    scripts/openapi-samples.py /tmp/samples.jsonl            # report
    scripts/openapi-samples.py /tmp/samples.jsonl --write    # fill the vague schemas

The report names the described operations no test calls, and for every answered status whose
schema says no more than "an object" or "an array of objects", the schema the answers show
(properties, which are always there, which may be null). --write puts that schema in the
part's fragment (src/PART/openapi.json), to be read and given descriptions by hand: a schema
learned from answers says what the tests saw, not what the API promises.
"""
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ["src/core/http/openapi.json"] + sorted(
    str(p.relative_to(ROOT)) for p in [*ROOT.glob("src/*/openapi.json"),
                                       *ROOT.glob("src/modules/*/openapi.json")])
VERBS = ("get", "post", "put", "delete", "patch")


def kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def looks_like_keys_of_data(keys):
    """An object used as a map (codes, years, reasons) rather than a record."""
    return len(keys) > 0 and all(re.fullmatch(r"[0-9][0-9.\-A-Za-z_]*|[A-Z]{2}(\.[0-9]+)*", k)
                                 for k in keys)


def infer(values):
    kinds = collections.Counter(kind(v) for v in values)
    nullable = kinds.pop("null", 0) > 0
    if not kinds:
        return {"nullable": True}
    if set(kinds) == {"integer", "number"}:
        kinds = {"number": 1}
    if len(kinds) > 1:
        schema = {"oneOf": [infer([v for v in values if kind(v) == k]) for k in kinds]}
    else:
        (k,) = kinds
        present = [v for v in values if v is not None]
        schema = {"type": k}
        if k == "array":
            items = [x for v in present for x in v]
            if items:
                schema["items"] = infer(items)
        elif k == "object":
            keys = []
            for v in present:
                keys += [x for x in v if x not in keys]
            if looks_like_keys_of_data(keys):
                schema["additionalProperties"] = infer([x for v in present for x in v.values()])
            else:
                schema["properties"] = {key: infer([v[key] for v in present if key in v])
                                        for key in keys}
                required = [key for key in keys if all(key in v for v in present)]
                if required:
                    schema["required"] = required
    if nullable:
        schema["nullable"] = True
    return schema


def vague(schema):
    if schema is None:
        return True
    if schema in ({"type": "object"}, {"type": "array"}):
        return True
    if schema.get("type") == "array" and schema.get("items") in (None, {"type": "object"}):
        return True
    return False


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    write = "--write" in sys.argv
    root = ROOT
    samples = collections.defaultdict(list)
    for line in open(sys.argv[1], encoding="utf-8"):
        s = json.loads(line)
        samples[(s["path"], s["method"].lower(), str(s["status"]))].append(s["body"])
    called = {(p, m) for p, m, _ in samples}
    for fragment in FRAGMENTS:
        file = root / fragment
        doc = json.loads(file.read_text(encoding="utf-8"))
        changed = False
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method not in VERBS:
                    continue
                if (path, method) not in called:
                    print(f"{fragment}: {method.upper()} {path}: no test calls it")
                    continue
                for status, response in op.get("responses", {}).items():
                    bodies = [b for b in samples.get((path, method, status), []) if b is not None]
                    content = response.get("content", {}).get("application/json")
                    if not bodies or content is None or "$ref" in response:
                        continue
                    if not vague(content.get("schema")) or path.endswith("/openapi.json"):
                        continue
                    learned = infer(bodies)
                    print(f"{fragment}: {method.upper()} {path} {status}: "
                          f"learned from {len(bodies)} answers")
                    if write:
                        content["schema"] = learned
                        changed = True
                    else:
                        print(json.dumps(learned, ensure_ascii=False, indent=1)[:2000])
        if changed:
            file.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
