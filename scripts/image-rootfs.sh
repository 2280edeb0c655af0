#!/usr/bin/env bash
# Fills ROOTFS with what the sluice container image holds, and nothing more:
# the binary, the shared libraries it loads (from ldd, at the same paths, the
# dynamic loader included), the CA certificates, an unprivileged user
# (sluice, 65532) with a home for ~/.kube, /tmp, and name resolution files.
# No shell, no package manager. Used by scripts/image.sh (no Docker daemon)
# and by the Dockerfile's last stage, so both images are the same.
#
#   scripts/image-rootfs.sh BINARY ROOTFS
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BINARY ROOTFS" >&2; exit 2; }
binary=$1 root=$2
[ -x "$binary" ] || { echo "image-rootfs: $binary is not an executable" >&2; exit 1; }

mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/sluice/.kube"
install -m 0755 "$binary" "$root/usr/bin/sluice"
strip --strip-unneeded "$root/usr/bin/sluice" 2>/dev/null || true

# Every library the loader resolves (and the loader), dereferenced, at its path.
libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$libraries" ] || { echo "image-rootfs: ldd found no libraries for $binary" >&2; exit 1; }
for lib in $libraries; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
  strip --strip-unneeded "$root$lib" 2>/dev/null || true
done

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
sluice:x:65532:65532:sluice:/home/sluice:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
sluice:x:65532:
EOF
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
chmod 1777 "$root/tmp"
chown -R 65532:65532 "$root/home/sluice" 2>/dev/null || true
