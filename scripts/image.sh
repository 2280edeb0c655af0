#!/usr/bin/env bash
# Builds sluice's container image without a Docker daemon: an OCI layout made
# with Debian's umoci from the Release binary (scripts/package.sh builds it),
# one layer filled by scripts/image-rootfs.sh, running as user 65532, with CA
# certificates and no shell. Prints its compressed size (goal: 25 MB).
#
# --check also pushes it with skopeo to a docker-registry on 127.0.0.1, pulls
# it back, unpacks it and runs it (chroot, as its own user): --version,
# validate, and `image resolve` of its own reference, whose digest must be
# the one the registry serves. Run by scripts/test.sh; needs root for chroot.
#
#   scripts/image.sh [--binary PATH] [--out DIR] [--check]
set -euo pipefail
cd "$(dirname "$0")/.."

binary=build/package/sluice out=build/image check=false
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --check) check=true; shift ;;
    *) echo "usage: $0 [--binary PATH] [--out DIR] [--check]" >&2; exit 2 ;;
  esac
done

fail() { echo "image: $*" >&2; exit 1; }
for tool in umoci skopeo; do
  command -v $tool >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done
[ -x "$binary" ] || fail "$binary is missing: run scripts/package.sh first, or pass --binary"
version=$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
limit_mb=25

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# umoci records file owners as it finds them; without root they are the caller's.
rootless=()
[ "$(id -u)" -eq 0 ] || rootless=(--rootless)

build_image() {
  local layout=$out/oci image=$out/oci:$version
  rm -rf "$layout"
  mkdir -p "$out"
  umoci init --layout "$layout"
  umoci new --image "$image"
  umoci unpack "${rootless[@]}" --image "$image" "$work/bundle" >/dev/null
  ./scripts/image-rootfs.sh "$binary" "$work/bundle/rootfs"
  umoci repack --image "$image" "$work/bundle"
  umoci config --image "$image" --os linux --architecture "$(dpkg --print-architecture)" \
    --config.user 65532:65532 --config.workingdir /home/sluice --config.env HOME=/home/sluice \
    --config.entrypoint /usr/bin/sluice --config.cmd --help \
    --config.label org.opencontainers.image.title=sluice \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label org.opencontainers.image.licenses=Apache-2.0
  umoci gc --layout "$layout"
}

# Bytes of the image's layers as stored and pulled (gzip), from its manifest.
compressed_size() {
  python3 - "$out/oci" "$version" <<'EOF'
import json, sys
layout, tag = sys.argv[1], sys.argv[2]
index = json.load(open(f"{layout}/index.json"))
entry = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
algo, digest = entry["digest"].split(":")
manifest = json.load(open(f"{layout}/blobs/{algo}/{digest}"))
print(sum(layer["size"] for layer in manifest["layers"]))
EOF
}

start_registry() {
  mkdir -p "$work/registry"
  cat >"$work/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:0
  secret: sluice-image-check
EOF
  /usr/bin/docker-registry serve "$work/registry/config.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do
    registry=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/registry.log" | head -1)
    [ -n "$registry" ] && return
    sleep 0.1
  done
  cat "$work/registry.log" >&2
  fail "docker-registry did not start within 20 s"
}

# Runs the unpacked image's entrypoint as the image's user.
run_in_image() {
  timeout 60 chroot --userspec=65532:65532 "$work/pulled/rootfs" /usr/bin/sluice "$@"
}

check_image() {
  [ "$(id -u)" -eq 0 ] || fail "--check runs the image with chroot, which needs root"
  start_registry
  local ref=$registry/sluice:$version
  skopeo copy --quiet --dest-tls-verify=false "oci:$out/oci:$version" "docker://$ref"
  local served
  served=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$ref")
  skopeo copy --quiet --src-tls-verify=false "docker://$ref" "oci:$work/pulled-layout:$version"
  umoci unpack --image "$work/pulled-layout:$version" "$work/pulled" >/dev/null

  local config
  config=$(skopeo inspect --tls-verify=false --config "docker://$ref")
  grep -q '"User": "65532:65532"' <<<"$config" || fail "the image does not run as 65532: $config"
  for shell in bin/sh bin/bash usr/bin/sh usr/bin/bash; do
    [ ! -e "$work/pulled/rootfs/$shell" ] || fail "the image has a shell: /$shell"
  done

  run_in_image --version | grep -q "^sluice $version" || fail "sluice --version did not run in the image"
  cp plans/examples/*.yaml "$work/pulled/rootfs/tmp/"
  local plans
  plans=$(cd plans/examples && printf '/tmp/%s ' *.yaml)
  # shellcheck disable=SC2086 # one argument per plan
  run_in_image validate $plans >/dev/null || fail "validate of the example plans did not run in the image"
  local resolved
  resolved=$(run_in_image -o json image resolve --insecure-registry "$registry" "$ref")
  grep -q "\"digest\": *\"$served\"" <<<"$resolved" ||
    fail "image resolve in the image said $resolved; the registry serves $served"
  echo "image: pushed to a local docker-registry, pulled back and run as 65532: --version, validate, image resolve ($served)"
}

build_image
bytes=$(compressed_size)
mb=$(python3 -c "print(f'{$bytes / 1e6:.1f}')")
echo "image: $out/oci:$version, one layer, $mb MB compressed (goal: $limit_mb MB)"
[ "$bytes" -le $((limit_mb * 1000 * 1000)) ] || fail "the image is $mb MB compressed, over $limit_mb MB"
if $check; then check_image; fi
