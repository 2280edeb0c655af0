#!/usr/bin/env python3
"""docs/plan.schema.json and `sluice validate` agree on every plan of a corpus.

The corpus: every example plan in plans/ and docs/ (the ```yaml blocks of
docs/*.md that are whole plans), and targeted variants of three small plans,
one per strategy: each field with a wrong type, a value outside its enum or
bounds, a required field removed, an unknown key. Each plan is checked by the
schema (Debian's python3-jsonschema, draft 2020-12, YAML read as YAML 1.2 as
editors read it) and by the real binary (`sluice validate -o json`, all files
in one run). Any plan on which they disagree fails the test, except the
variants marked VALIDATOR_ONLY: rules a JSON Schema cannot state (references
between sections, the condition language, rules that span fields, ranges of
durations), which the schema's description says `validate` adds.

Usage: check_plan_schema.py [SLUICE_BINARY]   (default: $SLUICE_BIN)
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
SCHEMA = json.loads((ROOT / "docs" / "plan.schema.json").read_text())


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1 (`yes` is true, `0777` octal); editors and
    yaml-cpp read 1.2's core schema. Same scalars as sluice reads them."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def construct_yaml12_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 0) if text.startswith("0x") else int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", construct_yaml12_int)

# ---------------------------------------------------------------- base plans

ROLLING = """apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {namespace: shop, deployment: web, service: web, container: app}
image: registry.example.com/shop/web:1.0
platforms: [linux/amd64]
progressDeadline: 10m
minAvailable: 2
strategy:
  rolling: {maxSurge: 25%, maxUnavailable: 0, checks: [smoke]}
checks:
  smoke:
    http:
      url: http://web.shop.svc/healthz
      method: GET
      expectStatus: 200
      bodyMatch: ok
      timeout: 2s
      headers: {X-Probe: sluice}
    interval: 5s
    count: 3
rollback: {automatic: true}
"""

BLUEGREEN = """apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {namespace: shop, deployment: web, service: web}
image: registry.example.com/shop/web:1.0
strategy:
  blueGreen:
    previewService: web-preview
    prePromotionChecks: [hook]
    postPromotionChecks: [errors]
    autoPromote: false
    scaleDownDelay: 30s
checks:
  hook:
    webhook:
      url: https://hooks.example.com/verify
      timeout: 5s
      bearerToken: {valueFrom: {env: HOOK_TOKEN}}
  errors:
    prometheus:
      address: http://prom:9090
      query: sum(rate(errors[1m]))
      basicAuth: {username: reader, password: {valueFrom: {secretKeyRef: {name: prom, key: password}}}}
    baseline: {query: "sum(rate(errors[1m]))"}
    successCondition: result <= baseline * 1.1
    failureCondition: result > baseline * 2
    interval: 30s
    initialDelay: 10s
    count: 4
    failureLimit: 1
    inconclusiveLimit: 1
    consecutiveErrorLimit: 4
"""

CANARY = """apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {namespace: shop, deployment: web, service: web}
image: registry.example.com/shop/web:1.0
strategy:
  canary:
    traffic: {gatewayRoute: {name: web, canaryService: web-canary}}
    maxSurge: 1
    maxUnavailable: 0
    backgroundChecks: [errors]
    steps:
      - setWeight: 10
      - pause: {duration: 1m}
      - analysis: {checks: [errors]}
      - setCanaryScale: {replicas: 2}
      - setCanaryScale: {weight: 50}
      - setCanaryScale: {matchTrafficWeight: true}
      - pause: {}
checks:
  errors:
    prometheus:
      address: http://prom:9090
      query: sum(rate(errors[1m]))
      headers:
        X-Scope-OrgID: tenant
        X-Api-Key: {valueFrom: {file: /run/secrets/key}}
    successCondition: result < 0.01
"""

BASES = {"rolling": ROLLING, "blueGreen": BLUEGREEN, "canary": CANARY}

# ------------------------------------------------------------------ variants

DELETE = object()


def variant(base, path, value):
    """`base` with the field at `path` (dot-separated; [n] for list items)
    set to `value`, a YAML text spliced in as written (so `yes` stays
    unquoted), or removed when value is DELETE. The plan is written as JSON,
    which is YAML."""
    doc = yaml.load(BASES[base], Loader=Yaml12Loader)
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    node = doc
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    last = parts[-1]
    key = int(last[1:-1]) if last.startswith("[") else last
    if value is DELETE:
        del node[key]
        return json.dumps(doc, indent=1)
    node[key] = "@@VALUE@@"
    return json.dumps(doc, indent=1).replace('"@@VALUE@@"', value)


# JSON has one kind of number: 4.0 and 0x4 are the integer 4 to a schema;
# sluice wants integers written as plain decimals.
NUMBER_SPELLING = "how the number is written (4.0, 0x4)"

# (base, path, YAML value or DELETE, validator only: why the schema cannot say it)
CASES = [
    # types, enums, bounds and required fields at the top level
    ("rolling", "apiVersion", "sluice/v2", None),
    ("rolling", "kind", "Rollout", None),
    ("rolling", "metadata.name", "Web", None),
    ("rolling", "metadata.name", "a" * 54, None),
    ("rolling", "metadata.name", DELETE, None),
    ("rolling", "metadata.extra", "1", None),
    ("rolling", "target.deployment", DELETE, None),
    ("rolling", "target.deployment", "web.v2", None),
    ("rolling", "target.deployment", "Web", None),
    ("rolling", "target.namespace", "Shop", None),
    ("rolling", "target.namespace", "", None),
    ("rolling", "target.context", "", None),
    ("rolling", "target.context", "7", None),
    ("rolling", "target.service", "web_svc", None),
    ("rolling", "target.container", "c" * 64, None),
    ("rolling", "target.replicas", "3", None),
    ("rolling", "target", "web", None),
    ("rolling", "targets", "[]", None),
    ("rolling", "image", DELETE, None),
    ("rolling", "image", "Registry.example.com/Web:1", None),
    ("rolling", "image", "web:1", None),
    ("rolling", "image", "web@sha256:" + "a" * 64, None),
    ("rolling", "image", "web:" + "t" * 129, None),
    ("rolling", "image", "", None),
    ("rolling", "image", "1.5", None),
    ("rolling", "platforms", "[linux]", None),
    ("rolling", "platforms", "[linux/amd64, linux/amd64]", None),
    ("rolling", "platforms", "[linux/arm/v7]", None),
    ("rolling", "platforms", "linux/amd64", None),
    ("rolling", "platforms", "[]", None),
    ("rolling", "progressDeadline", "10", None),
    ("rolling", "progressDeadline", "1.5m", None),
    ("rolling", "progressDeadline", "1h30m", None),
    ("rolling", "progressDeadline", "30m1h", None),
    ("rolling", "progressDeadline", "1s", "a duration's range (10s-24h)"),
    ("rolling", "progressDeadline", "25h", "a duration's range (10s-24h)"),
    ("rolling", "progressDeadline", "600", None),
    ("rolling", "minAvailable", "50%", None),
    ("rolling", "minAvailable", "150%", None),
    ("rolling", "minAvailable", "-1", None),
    ("rolling", "minAvailable", "2.5", None),
    ("rolling", "minAvailable", "true", None),
    ("rolling", "rollback.automatic", "yes", None),
    ("rolling", "rollback.automatic", "\"true\"", None),
    ("rolling", "rollback.automatic", "False", None),
    ("rolling", "rollback.manual", "true", None),
    ("rolling", "rollback", "null", None),
    ("rolling", "extra", "1", None),
    # strategy
    ("rolling", "strategy", "{}", None),
    ("rolling", "strategy", "{rolling: null, canary: {steps: [{setWeight: 5}]}}", None),
    ("rolling", "strategy.rolling", "null", None),
    ("rolling", "strategy.rolling.maxSurge", "0", None),
    ("rolling", "strategy.rolling.maxSurge", "101%", None),
    ("rolling", "strategy.rolling.maxSurge", "\"3\"", None),
    ("rolling", "strategy.rolling.maxSurge", "abc", None),
    ("rolling", "strategy.rolling.maxUnavailable", "25%", None),
    ("rolling", "strategy.rolling.checks", "[nope]", "a reference to a check by name"),
    ("rolling", "strategy.rolling.checks", "smoke", None),
    ("rolling", "strategy.rolling.pause", "1", None),
    ("blueGreen", "strategy.blueGreen", "null", None),
    ("blueGreen", "strategy.blueGreen.autoPromote", "no", None),
    ("blueGreen", "strategy.blueGreen.scaleDownDelay", "0s", None),
    ("blueGreen", "strategy.blueGreen.scaleDownDelay", "30", None),
    ("blueGreen", "strategy.blueGreen.previewService", "web", "a rule across fields (preview differs from target.service)"),
    ("blueGreen", "target.service", DELETE, "a rule across fields (blue-green needs target.service)"),
    ("canary", "strategy.canary.steps", "[]", None),
    ("canary", "strategy.canary.steps", DELETE, None),
    ("canary", "strategy.canary.steps[0].setWeight", "101", None),
    ("canary", "strategy.canary.steps[0].setWeight", "-1", None),
    ("canary", "strategy.canary.steps[0].setWeight", "10.5", None),
    ("canary", "strategy.canary.steps[0].setWeight", "\"10\"", None),
    ("canary", "strategy.canary.steps[0]", "{setWeight: 10, pause: {}}", None),
    ("canary", "strategy.canary.steps[0]", "{}", None),
    ("canary", "strategy.canary.steps[0]", "{wait: 1}", None),
    ("canary", "strategy.canary.steps[1].pause", "null", None),
    ("canary", "strategy.canary.steps[1].pause", "{duration: 0s}", "a duration's range (1s-24h)"),
    ("canary", "strategy.canary.steps[1].pause", "{duration: 10}", None),
    ("canary", "strategy.canary.steps[1].pause", "{duration: 1m, until: x}", None),
    ("canary", "strategy.canary.steps[1].pause", "1m", None),
    ("canary", "strategy.canary.steps[2].analysis", "{checks: []}", None),
    ("canary", "strategy.canary.steps[2].analysis", "{}", None),
    ("canary", "strategy.canary.steps[2].analysis", "{checks: [nope]}", "a reference to a check by name"),
    ("canary", "strategy.canary.steps[3].setCanaryScale", "{replicas: 10001}", None),
    ("canary", "strategy.canary.steps[3].setCanaryScale", "{replicas: 1, weight: 5}", None),
    ("canary", "strategy.canary.steps[3].setCanaryScale", "{}", None),
    ("canary", "strategy.canary.steps[5].setCanaryScale", "{matchTrafficWeight: false}", None),
    ("canary", "strategy.canary.traffic", "replicas", "a rule across fields (setCanaryScale needs gatewayRoute)"),
    ("canary", "strategy.canary.traffic", "route", None),
    ("canary", "strategy.canary.traffic", "{gatewayRoute: {canaryService: x}}", None),
    ("canary", "strategy.canary.traffic", "{gatewayRoute: {name: Web}}", None),
    ("canary", "strategy.canary.traffic", "{gatewayRoute: {name: web}}", None),
    ("canary", "strategy.canary.maxSurge", "0", None),
    ("canary", "strategy.canary.backgroundChecks", "[Errors]", None),
    # checks
    ("canary", "checks.Errors", "{webhook: {url: http://x}}", None),
    ("canary", "checks.errors.prometheus", DELETE, None),
    ("canary", "checks.errors.http", "{url: http://x}", None),
    ("canary", "checks.errors.prometheus.address", "prom:9090", None),
    ("canary", "checks.errors.prometheus.address", "ftp://prom", None),
    ("canary", "checks.errors.prometheus.query", "\"\"", None),
    ("canary", "checks.errors.prometheus.query", DELETE, None),
    ("canary", "checks.errors.prometheus.bearerToken", "abc", None),
    ("canary", "checks.errors.prometheus.headers", "{X-A: [a]}", None),
    ("canary", "checks.errors.prometheus.headers", "{X-A: {valueFrom: {env: A, file: /f}}}", None),
    ("canary", "checks.errors.prometheus.headers", "{X-A: {valueFrom: {vault: a}}}", None),
    ("canary", "checks.errors.prometheus.headers", "{X-A: {value: a}}", None),
    ("canary", "checks.errors.prometheus.headers", "{X-A: {valueFrom: {secretKeyRef: {name: s}}}}", None),
    ("canary", "checks.errors.prometheus.basicAuth", "{username: u}", None),
    ("canary", "checks.errors.prometheus.basicAuth", "{password: p}", None),
    ("canary", "checks.errors.successCondition", "\"\"", None),
    ("canary", "checks.errors.successCondition", "result <", "the condition language"),
    ("canary", "checks.errors.successCondition", "\"" + "x" * 1025 + "\"", None),
    ("canary", "checks.errors.successCondition", DELETE, None),
    ("canary", "checks.errors.failureCondition", "result > 0.1", None),
    ("canary", "checks.errors.interval", "0s", "a duration's range (1s-24h)"),
    ("canary", "checks.errors.initialDelay", "5", None),
    ("canary", "checks.errors.count", "0", None),
    ("canary", "checks.errors.count", "1001", None),
    ("canary", "checks.errors.count", "\"4\"", None),
    ("canary", "checks.errors.count", "4.0", NUMBER_SPELLING),
    ("canary", "checks.errors.count", "0x4", NUMBER_SPELLING),
    ("canary", "checks.errors.failureLimit", "1", "a rule across fields (failureLimit below count)"),
    ("canary", "checks.errors.consecutiveErrorLimit", "101", None),
    ("canary", "checks.errors.inconclusiveLimit", "-1", None),
    ("canary", "checks.errors.baseline", "{query: q, extra: 1}", None),
    ("canary", "checks.errors.baseline", "{}", None),
    ("canary", "checks.errors.measure", "1", None),
    ("canary", "checks.errors", "null", None),
    ("canary", "checks", "[]", None),
    ("canary", "checks.errors.prometheus.query", "\"rate(x{ns='{{nope}}'}[1m])\"", "a template variable's name"),
    ("rolling", "checks.smoke.http.method", "PUT", None),
    ("rolling", "checks.smoke.http.method", "get", None),
    ("rolling", "checks.smoke.http.expectStatus", "99", None),
    ("rolling", "checks.smoke.http.expectStatus", "600", None),
    ("rolling", "checks.smoke.http.timeout", "10m", "a duration's range (100ms-5m)"),
    ("rolling", "checks.smoke.http.bodyMatch", "\"\"", None),
    ("rolling", "checks.smoke.http.url", DELETE, None),
    ("rolling", "checks.smoke.http.headers", "{X-A: 5}", None),
    ("rolling", "checks.smoke.http.headers", "[a]", None),
    ("rolling", "checks.smoke.http.successCondition", "result < 1", None),
    ("rolling", "checks.smoke.successCondition", "result < 1", None),
    ("rolling", "checks.smoke.http.basicAuth", "{username: u, password: p}", None),
    ("rolling", "checks.smoke.http.bearerToken", "t", None),
    ("rolling", "checks.smoke.http.bearerToken", "{valueFrom: {env: T}}", None),
    ("rolling", "checks.smoke.webhook", "{url: http://x}", None),
    ("blueGreen", "checks.hook.webhook.timeout", "50ms", "a duration's range (100ms-5m)"),
    ("blueGreen", "checks.hook.webhook.method", "POST", None),
    ("blueGreen", "checks.hook.webhook.headers", "{X-Id: {valueFrom: {secretKeyRef: {name: s, key: k}}}}", None),
    ("blueGreen", "checks.hook.webhook.bearerToken", "{valueFrom: {env: T}, extra: 1}", None),
    ("blueGreen", "checks.errors.prometheus.basicAuth", "{username: u, password: p, extra: 1}", None),
    ("blueGreen", "checks.errors.prometheus.basicAuth", "{username: \"\", password: p}", None),
    ("blueGreen", "checks.hook.webhook.bearerToken", "{valueFrom: {}}", None),
    ("blueGreen", "checks.hook.webhook.bearerToken", "\"\"", None),
    ("blueGreen", "checks.hook.webhook.bearerToken", "{valueFrom: {secretKeyRef: {name: s, key: k, x: 1}}}", None),
    ("blueGreen", "checks.hook.webhook.headers", "{Authorization: Bearer x}", "a rule across fields (one Authorization)"),
    ("blueGreen", "checks.hook.webhook.url", "https://user:pw@hooks.example.com/v", "a rule across fields (URL user-info is basic auth)"),
    ("blueGreen", "checks.hook.webhook.bodyMatch", "ok", None),
    ("blueGreen", "checks.errors.prometheus.url", "http://x", None),
    ("blueGreen", "checks.hook.baseline", "{query: q}", None),
    ("blueGreen", "checks.hook.failureCondition", "result > 1", None),
    ("blueGreen", "checks", "null", "a reference to a check by name"),
    ("blueGreen", "checks", "{}", "a reference to a check by name"),
    ("blueGreen", "strategy.blueGreen.previewService", "\"\"", None),
    ("blueGreen", "strategy.blueGreen.scaleDownDelay", "25h", "a duration's range (0s-24h)"),
    ("blueGreen", "strategy.blueGreen.autoPromote", "null", None),
    ("blueGreen", "strategy.blueGreen.autoPromote", "1", None),
    ("rolling", "image", "a" * 256 + ":1", "an image name's length (255) with docker.io/ added"),
    ("rolling", "image", "docker.io/library/web:V1.2", None),
    ("rolling", "image", "localhost:5000/web", None),
    ("rolling", "image", "[::1]:5000/web:1", None),
    ("rolling", "image", "web:1@sha256:" + "a" * 63, None),
    ("rolling", "platforms", "[Linux/amd64]", None),
    ("rolling", "platforms", "[linux/amd64/v8/x]", None),
    ("rolling", "platforms", "[linux/amd64, 5]", None),
    ("rolling", "progressDeadline", "90m", None),
    ("rolling", "progressDeadline", "1d", None),
    ("rolling", "progressDeadline", "10S", None),
    ("rolling", "progressDeadline", "1m30", None),
    ("rolling", "progressDeadline", "0h", "a duration's range (10s-24h)"),
    ("rolling", "progressDeadline", "1h0m", None),
    ("rolling", "minAvailable", "0", None),
    ("rolling", "minAvailable", "\"0\"", None),
    ("rolling", "minAvailable", "1000001", None),
    ("rolling", "minAvailable", "\"1000001\"", None),
    ("rolling", "minAvailable", "100%", None),
    ("rolling", "rollback", "{}", None),
    ("rolling", "target.deployment", "web..v2", None),
    ("rolling", "target.deployment", "d" * 254, None),
    ("rolling", "target.namespace", "2024", None),
    ("rolling", "target.namespace", "\"2024\"", None),
    ("rolling", "target.context", "prod eu", None),
    ("rolling", "metadata.name", "7", None),
    ("rolling", "metadata", "{name: web, labels: {}}", None),
    ("rolling", "apiVersion", DELETE, None),
    ("rolling", "kind", "plan", None),
    ("rolling", "strategy.rolling.maxSurge", "\"0%\"", None),
    ("rolling", "strategy.rolling", "{maxSurge: 0, maxUnavailable: 1}", None),
    ("rolling", "strategy.rolling.checks", "[\"\"]", None),
    ("rolling", "checks.smoke.http.url", "http://", None),
    ("rolling", "checks.smoke.http.url", "https://user:pw@web.shop.svc/x", None),
    ("rolling", "checks.smoke.http.url", "https://web.shop.svc:8443/x?y=1", None),
    ("rolling", "checks.smoke.http.expectStatus", "200.5", None),
    ("rolling", "checks.smoke.http.method", "HEAD", None),
    ("rolling", "checks.smoke.http.timeout", "2", None),
    ("rolling", "checks.smoke.http.headers", "{X-A: {valueFrom: {file: /f}}}", None),
    ("rolling", "checks.smoke.http", "{url: http://x, basicAuth: {username: u, password: p}, bearerToken: t}", None),
    ("rolling", "checks." + "c" * 64, "{webhook: {url: http://x}}", None),
    ("rolling", "checks.smoke.count", "1", None),
    ("rolling", "checks.smoke.failureLimit", "2", None),
    ("rolling", "checks.smoke.prometheus", "{address: http://p, query: q}", None),
    ("canary", "strategy.canary.steps[0]", "{setWeight: null}", None),
    ("canary", "strategy.canary.steps[3].setCanaryScale", "{weight: 101}", None),
    ("canary", "strategy.canary.steps[3].setCanaryScale", "{replicas: \"2\"}", None),
    ("canary", "strategy.canary.steps", "{setWeight: 10}", None),
    ("canary", "strategy.canary.traffic", "{gatewayRoute: {name: web, canaryService: web}}", None),
    ("canary", "strategy.canary.traffic", "{gatewayRoute: {name: web}, extra: 1}", None),
    ("canary", "strategy.canary.maxUnavailable", "\"10%\"", None),
    ("canary", "checks.errors.successCondition", "result", "the condition language"),
    ("canary", "checks.errors.successCondition", "true", None),
    ("canary", "checks.errors.prometheus.query", "\"{{weight}} > 1\"", None),
    ("canary", "checks.errors.interval", "30", None),
    ("canary", "checks.errors.prometheus.address", "\"http://\"", None),
    ("canary", "checks.errors", "{prometheus: {address: http://p, query: q}, failureCondition: result > 1}", None),
]


def is_release(text):
    """Releases have their own schema (check_release_schema.py); drills are
    checked by their parser's tests (tests/unit/plan/test_drill_parser.cpp)."""
    return re.search(r"^kind: (Release|Drill)$", text, re.M) is not None


def corpus():
    """(name, text, validator_only) for every plan checked."""
    out = []
    for path in sorted((ROOT / "plans").rglob("*.yaml")):
        text = path.read_text()
        if "apiVersion: sluice/" in text and not is_release(text):
            out.append((str(path.relative_to(ROOT)), text, None))
    for doc in sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)
        for i, block in enumerate(blocks):
            if (block.startswith("apiVersion:") or "\napiVersion:" in block) and not is_release(block):
                out.append((f"{doc.relative_to(ROOT)}#yaml{i}", block, None))
    for base, text in BASES.items():
        out.append((f"base-{base}", text, None))
    for base, path, value, why in CASES:
        shown = "<deleted>" if value is DELETE else value[:40]
        out.append((f"{base}: {path} = {shown}", variant(base, path, value), why))
    return out


def schema_verdict(text):
    try:
        doc = yaml.load(text, Loader=Yaml12Loader)
    except yaml.YAMLError as e:
        return False, f"YAML: {e}"
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc), key=lambda e: list(e.path))
    if not errors:
        return True, ""
    first = errors[0]
    return False, "/".join(str(p) for p in first.path) + ": " + first.message[:160]


def validator_verdicts(binary, files):
    run = subprocess.run([binary, "-o", "json", "validate", *files], capture_output=True, text=True, timeout=120)
    verdicts, problems = {}, {}
    for line in run.stdout.splitlines():
        item = json.loads(line)
        if "valid" in item:
            verdicts[item["file"]] = item["valid"]
        elif item.get("severity") != "warning":
            problems.setdefault(item["file"], f'{item["path"]}: {item["message"]}')
    return verdicts, problems


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SLUICE_BIN", "")
    if not binary:
        sys.exit("usage: check_plan_schema.py SLUICE_BINARY (or set SLUICE_BIN)")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    failures = []
    if not SCHEMA.get("$id", "").startswith("https://"):
        failures.append("the schema has no https $id for editors to fetch it by")
    plans = corpus()
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, (_, text, _) in enumerate(plans):
            path = os.path.join(tmp, f"plan-{i:03}.yaml")
            pathlib.Path(path).write_text(text)
            files.append(path)
        verdicts, problems = validator_verdicts(binary, files)
        for (name, text, why), path in zip(plans, files):
            schema_ok, schema_why = schema_verdict(text)
            sluice_ok = verdicts.get(path)
            if sluice_ok is None:
                failures.append(f"{name}: sluice validate printed no verdict")
            elif why is not None:
                if not (schema_ok and not sluice_ok):
                    failures.append(f"{name}: meant to be caught by validate only ({why}), but schema valid={schema_ok}"
                                    f" ({schema_why}), validate valid={sluice_ok} ({problems.get(path, '')})")
            elif schema_ok != sluice_ok:
                failures.append(f"{name}: schema says {'valid' if schema_ok else 'invalid (' + schema_why + ')'}, "
                                f"validate says {'valid' if sluice_ok else 'invalid (' + problems.get(path, '') + ')'}")
    for failure in failures:
        print("DISAGREE " + failure)
    print(f"{len(plans)} plans, {len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
