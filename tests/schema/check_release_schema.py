#!/usr/bin/env python3
"""docs/release.schema.json and `sluice validate` agree on releases.

The corpus: every release in plans/ (with the plans it names beside it) and a
base release with variants (a field with a wrong type or value, a required
field removed, an unknown key). Each is checked by the schema and by the real
binary (`sluice validate -o json`), with a kubeconfig that names every context
the releases use. The schema's $defs other than a release's own must be
plan.schema.json's, so that checks are described once.

Usage: check_release_schema.py [SLUICE_BINARY]   (default: $SLUICE_BIN)
"""
import copy
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "release.schema.json").read_text())
PLAN_SCHEMA = json.loads((ROOT / "docs" / "plan.schema.json").read_text())
OWN_DEFS = {"wave", "releaseTarget"}

PLAN = """apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {deployment: web}
image: registry.example.com/shop/web:1.0
strategy:
  rolling:
"""

BASE = {
    "apiVersion": "sluice/v1",
    "kind": "Release",
    "metadata": {"name": "shop"},
    "image": "registry.example.com/shop/app:1.0",
    "record": {"context": "hub", "namespace": "releases"},
    "onFailure": "hold",
    "waves": [
        {"name": "first", "maxParallel": 1, "bake": "1m", "targets": [
            {"context": "eu", "namespace": "shop", "plan": "web.yaml"}]},
        {"name": "rest", "maxParallel": 2, "failureBudget": 1, "targets": [
            {"context": "us", "namespace": "shop", "plan": "web.yaml"},
            {"context": "ap", "namespace": "shop", "plan": "web.yaml"}]},
    ],
}

DELETE = object()
# (path, value): the value at path replaced (DELETE: removed).
CASES = [
    ("apiVersion", "sluice/v2"),
    ("kind", "Plan"),
    ("metadata.name", "Shop"),
    ("image", DELETE),
    ("record", DELETE),
    ("record.namespace", DELETE),
    ("record.colour", "blue"),
    ("onFailure", "retry"),
    ("waves", []),
    ("waves.0.name", DELETE),
    ("waves.0.maxParallel", 0),
    ("waves.0.maxParallel", "two"),
    ("waves.0.bake", "soon"),
    ("waves.0.failureBudget", -1),
    ("waves.0.targets", []),
    ("waves.0.targets.0.plan", DELETE),
    ("waves.0.targets.0.namespace", "Shop"),
    ("waves.0.targets.0.cluster", "eu"),
    ("waves.1.parallel", 2),
    ("colour", "blue"),
    ("platforms", ["linux/amd64", "linux/amd64"]),
]


def variant(path, value):
    doc = copy.deepcopy(BASE)
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


def kubeconfig(contexts):
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": sorted(contexts)[0],
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": c, "context": {"cluster": "c", "user": "u"}} for c in sorted(contexts)],
    })


def contexts_of(doc):
    names = set()
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "context" and isinstance(value, str):
                names.add(value)
            else:
                names |= contexts_of(value)
    elif isinstance(doc, list):
        for item in doc:
            names |= contexts_of(item)
    return names


def schema_verdict(doc):
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    return (not errors), (errors[0].message[:160] if errors else "")


def sluice_verdict(binary, config, path):
    run = subprocess.run([binary, "--kubeconfig", config, "-o", "json", "validate", path],
                         capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    problems = [f'{item["path"]}: {item["message"]}' for item in lines if "message" in item]
    verdict = [item["valid"] for item in lines if "valid" in item]
    return (verdict[0] if verdict else None), "; ".join(problems)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SLUICE_BIN", "")
    if not binary:
        sys.exit("usage: check_release_schema.py SLUICE_BINARY (or set SLUICE_BIN)")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    failures = []
    for name, definition in PLAN_SCHEMA["$defs"].items():
        if SCHEMA["$defs"].get(name) != definition:
            failures.append(f"$defs.{name} differs from plan.schema.json's")
    for name in set(SCHEMA["$defs"]) - set(PLAN_SCHEMA["$defs"]) - OWN_DEFS:
        failures.append(f"$defs.{name} is neither plan.schema.json's nor a release's own")
    corpus = [(f"{path.relative_to(ROOT)}", path) for path in sorted((ROOT / "plans").rglob("*.yaml"))
              if re.search(r"^kind: Release$", path.read_text(), re.M)]
    if not corpus:
        failures.append("no example release in plans/")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(name, yaml.safe_load(path.read_text()), str(path)) for name, path in corpus]
        pathlib.Path(tmp, "web.yaml").write_text(PLAN)
        cases.append(("base", BASE, None))
        cases += [(f"{path} = {value if value is not DELETE else '<deleted>'}", variant(path, value), None)
                  for path, value in CASES]
        for i, (name, doc, path) in enumerate(cases):
            if path is None:
                path = os.path.join(tmp, f"release-{i:03}.yaml")
                pathlib.Path(path).write_text(yaml.safe_dump(doc, sort_keys=False))
            config = os.path.join(tmp, f"kubeconfig-{i:03}")
            pathlib.Path(config).write_text(kubeconfig(contexts_of(doc) | {"default"}))
            schema_ok, schema_why = schema_verdict(doc)
            sluice_ok, sluice_why = sluice_verdict(binary, config, path)
            if sluice_ok is None:
                failures.append(f"{name}: sluice validate printed no verdict")
            elif schema_ok != sluice_ok:
                failures.append(f"{name}: schema says {schema_ok} ({schema_why}), validate says {sluice_ok} ({sluice_why})")
    for failure in failures:
        print("DISAGREE " + failure)
    print(f"{len(cases)} releases, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
