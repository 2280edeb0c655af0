#!/usr/bin/env python3
"""The CI templates branch on sluice's documented exit codes (docs/exit-codes.md).

Runs the GitHub composite action's apply.sh and the GitLab template's script
with a stand-in `sluice` that exits with each code, and checks which codes
pass the job: 0 always, 4 (paused for promote) only when pauses are allowed,
never 8 (held after a failed gate) or anything else. Also checks that the
YAML files parse and that the action passes its inputs to apply.sh, and that
the Dockerfile's image is the one scripts/image.sh builds (same file set, user
and entrypoint; image.sh itself is run by scripts/test.sh).
"""
import os
import pathlib
import subprocess
import sys
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130]
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def fake_sluice(directory, code):
    path = pathlib.Path(directory) / "sluice"
    path.write_text(f'#!/bin/sh\necho "$@" > "{directory}/args"\nexit {code}\n')
    path.chmod(0o755)
    return path


def run_action(code, allow_pause):
    with tempfile.TemporaryDirectory() as d:
        sluice = fake_sluice(d, code)
        output = pathlib.Path(d) / "github_output"
        env = dict(os.environ, SLUICE=str(sluice), SLUICE_PLAN="plans/web.yaml", SLUICE_NS="shop",
                   SLUICE_CTX="", SLUICE_ALLOW_PAUSE=allow_pause, GITHUB_OUTPUT=str(output))
        ran = subprocess.run([str(ROOT / ".github/actions/sluice-apply/apply.sh")], env=env,
                             capture_output=True, text=True, timeout=30)
        args = (pathlib.Path(d) / "args").read_text().split()
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return ran.returncode, args, outputs


def run_gitlab(script, code, allow_pause):
    with tempfile.TemporaryDirectory() as d:
        fake_sluice(d, code)
        env = dict(os.environ, PATH=f"{d}:{os.environ['PATH']}", SLUICE_PLAN="plans/web.yaml",
                   SLUICE_NAMESPACE_ARG="-n shop", SLUICE_ALLOW_PAUSE=allow_pause)
        # GitLab runs each script entry in one shell with `set -eo pipefail`.
        ran = subprocess.run(["bash", "-c", "set -eo pipefail\n" + "\n".join(script)], env=env,
                             capture_output=True, text=True, timeout=30)
        return ran.returncode


def passes(code, allow_pause):
    return code == 0 or (code == 4 and allow_pause == "true")


action = yaml.safe_load((ROOT / ".github/actions/sluice-apply/action.yml").read_text())
check(action["runs"]["using"] == "composite", "action: not a composite action")
step_env = action["runs"]["steps"][0]["env"]
for name in ("plan", "namespace", "context", "allow-pause", "sluice"):
    check(any(f"inputs.{name}" in value for value in step_env.values()), f"action: input {name} is not passed on")
yaml.safe_load((ROOT / ".github/workflows/deploy-example.yml").read_text())

for allow in ("true", "false"):
    for code in CODES:
        rc, args, outputs = run_action(code, allow)
        check((rc == 0) == passes(code, allow), f"action: exit {code} (allow-pause {allow}) gave job result {rc}")
        check(outputs.get("exit-code") == str(code), f"action: exit-code output {outputs} for {code}")
        check(args[:2] == ["apply", "plans/web.yaml"] and "-n" in args and "shop" in args, f"action: args {args}")
    _, _, outputs = run_action(8, allow)
    check(outputs.get("outcome") == "held", f"action: 8 is reported as {outputs.get('outcome')}, not held")

gitlab = yaml.safe_load((ROOT / "ci/gitlab/sluice.gitlab-ci.yml").read_text())
script = gitlab[".sluice-apply"]["script"]
for allow in ("true", "false"):
    for code in CODES:
        rc = run_gitlab(script, code, allow)
        check((rc == 0) == passes(code, allow), f"gitlab: exit {code} (allow pause {allow}) gave job result {rc}")

# The Dockerfile cannot be built here (no daemon): its last stage must hold
# what scripts/image-rootfs.sh collects, as scripts/image.sh's image does.
dockerfile = (ROOT / "Dockerfile").read_text()
last_stage = dockerfile.split("\nFROM ")[-1]
image_sh = (ROOT / "scripts/image.sh").read_text()
check("image-rootfs.sh /build/sluice /rootfs" in dockerfile, "Dockerfile: the rootfs is not made by image-rootfs.sh")
check(last_stage.startswith("scratch"), "Dockerfile: the last stage is not FROM scratch")
check("COPY --from=build /rootfs/ /" in last_stage, "Dockerfile: the last stage does not copy the rootfs")
for docker, umoci in (("USER 65532:65532", "--config.user 65532:65532"),
                      ('ENTRYPOINT ["/usr/bin/sluice"]', "--config.entrypoint /usr/bin/sluice"),
                      ("ENV HOME=/home/sluice", "--config.env HOME=/home/sluice")):
    check(docker in last_stage, f"Dockerfile: no '{docker}'")
    check(umoci in image_sh, f"scripts/image.sh: no '{umoci}'")

for failure in failures:
    print("FAIL:", failure)
print(f"ci templates: {len(failures)} failures")
sys.exit(1 if failures else 0)
