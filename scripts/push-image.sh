#!/usr/bin/env bash
# Pushes a tiny synthetic image (config blob, one layer blob, OCI manifest) to a
# registry over its HTTP API with curl, so the demo needs no docker. With
# --index the tag names a two-platform OCI index (linux/amd64, linux/arm64).
# With --sign KEY (a PEM private key) it also signs what the tag names the
# way `cosign sign --key` does, with openssl (docs/supply-chain.md): the
# simple-signing payload as the one layer of a manifest tagged
# sha256-<hex>.sig, the base64 signature in its annotation.
# Prints the digest of what the tag names.
#
#   scripts/push-image.sh [--index] [--sign KEY] HOST:PORT REPOSITORY TAG
set -euo pipefail

index=false
sign_key=""
while [ $# -gt 0 ]; do
  case $1 in
    --index) index=true; shift ;;
    --sign) sign_key=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 3 ]; then
  echo "usage: $0 [--index] [--sign KEY] HOST:PORT REPOSITORY TAG" >&2
  exit 2
fi
registry=$1 repo=$2 tag=$3
base="http://$registry/v2/$repo"
curl_opts=(--silent --show-error --fail --max-time 10)

digest_of() { printf 'sha256:%s' "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }

# Monolithic upload: POST starts it, PUT with ?digest= completes it in one go.
push_blob() {
  local bytes=$1 digest location
  digest=$(digest_of "$bytes")
  location=$(curl "${curl_opts[@]}" -X POST -o /dev/null -D - "$base/blobs/uploads/" |
    tr -d '\r' | sed -n 's/^[Ll]ocation: *//p')
  [ -n "$location" ] || { echo "push-image: no upload location from $registry" >&2; exit 1; }
  case $location in http*) ;; *) location="http://$registry$location" ;; esac
  case $location in *\?*) location="$location&digest=$digest" ;; *) location="$location?digest=$digest" ;; esac
  printf '%s' "$bytes" | curl "${curl_opts[@]}" -X PUT -o /dev/null \
    -H 'Content-Type: application/octet-stream' --data-binary @- "$location"
  printf '%s' "$digest"
}

push_manifest() {
  local ref=$1 type=$2 body=$3
  printf '%s' "$body" | curl "${curl_opts[@]}" -X PUT -o /dev/null \
    -H "Content-Type: $type" --data-binary @- "$base/manifests/$ref"
  digest_of "$body"
}

oci_manifest=application/vnd.oci.image.manifest.v1+json

# One single-platform image; prints "digest size" of its manifest.
push_platform_image() {
  local os=$1 arch=$2 ref=$3 layer layer_digest config config_digest manifest
  layer="layer of $repo:$tag for $os/$arch"
  layer_digest=$(push_blob "$layer")
  config="{\"architecture\":\"$arch\",\"os\":\"$os\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"$layer_digest\"]}}"
  config_digest=$(push_blob "$config")
  manifest="{\"schemaVersion\":2,\"mediaType\":\"$oci_manifest\",\
\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$config_digest\",\"size\":${#config}},\
\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$layer_digest\",\"size\":${#layer}}]}"
  [ "$ref" = "-" ] && ref=$(digest_of "$manifest")
  printf '%s %s' "$(push_manifest "$ref" "$oci_manifest" "$manifest")" "${#manifest}"
}

# Cosign's signature of DIGEST, made with openssl and pushed to sha256-<hex>.sig.
sign() {
  local digest=$1 payload signature config manifest
  payload="{\"critical\":{\"identity\":{\"docker-reference\":\"$registry/$repo:$tag\"},\
\"image\":{\"docker-manifest-digest\":\"$digest\"},\"type\":\"cosign container image signature\"},\"optional\":null}"
  signature=$(printf '%s' "$payload" | openssl dgst -sha256 -sign "$sign_key" | base64 -w0)
  config='{}'
  manifest="{\"schemaVersion\":2,\"mediaType\":\"$oci_manifest\",\
\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$(push_blob "$config")\",\"size\":2},\
\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\"$(push_blob "$payload")\",\
\"size\":${#payload},\"annotations\":{\"dev.cosignproject.cosign/signature\":\"$signature\"}}]}"
  push_manifest "sha256-${digest#sha256:}.sig" "$oci_manifest" "$manifest" >/dev/null
}

# Prints the digest, after signing it when asked.
finish() {
  [ -z "$sign_key" ] || sign "$1"
  echo "$1"
}

if [ "$index" = false ]; then
  pushed=$(push_platform_image linux amd64 "$tag")
  finish "${pushed% *}"
  exit 0
fi

entries=()
for platform in linux/amd64 linux/arm64; do
  pushed=$(push_platform_image "${platform%/*}" "${platform#*/}" -)
  digest=${pushed% *} size=${pushed#* }
  entries+=("{\"mediaType\":\"$oci_manifest\",\"digest\":\"$digest\",\"size\":$size,\
\"platform\":{\"architecture\":\"${platform#*/}\",\"os\":\"${platform%/*}\"}}")
done
joined=$(IFS=,; echo "${entries[*]}")
index_digest=$(push_manifest "$tag" application/vnd.oci.image.index.v1+json \
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[$joined]}")
finish "$index_digest"
