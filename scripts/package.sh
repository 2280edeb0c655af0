#!/usr/bin/env bash
# Builds the Debian packages (Release, no sanitizers) with CPack, installs them
# with dpkg into a scratch root, and runs the installed sluice from there:
# --version, validate on the shipped example plans, the man page, the bash
# completion. Also checks that every package the .deb Depends on is a real,
# installed Debian package. Run by scripts/test.sh; the packages are left in
# build/package/ (sluice_<version>_<arch>.deb, sluice-kubesim_...).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${SLUICE_PACKAGE_BUILD:-build/package}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j "$(nproc)" --target sluice kubesim sluice_share
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >/dev/null)
shopt -s nullglob
debs=("$build"/sluice_*.deb "$build"/sluice-kubesim_*.deb)
[ ${#debs[@]} -eq 2 ] || { echo "package: expected 2 packages in $build, found: ${debs[*]}" >&2; exit 1; }

fail() { echo "package: $*" >&2; exit 1; }

# Depends must name installed Debian packages, the runtime libraries included.
depends=$(dpkg-deb -f "$build"/sluice_*.deb Depends)
for lib in libcurl libyaml-cpp libfmt libspdlog; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
# Installed packages and what they provide (libspdlog1.10 provides libspdlog1.10-fmt9).
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}, ${Provides}\n' | sed -n 's/^ii *//p' |
  tr ',' '\n' | sed 's/(.*//; s/:.*//' | tr -d ' ' | sort -u)
for dep in $(tr ',' '\n' <<<"$depends" | sed 's/(.*//; s/|.*//' | tr -d ' '); do
  grep -qx "$dep" <<<"$installed" || fail "Depends names $dep, which no installed package is or provides"
done

# dpkg -i into an empty root: its own database, the host's libraries.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# (--force-depends: the scratch database knows none of the libraries; Depends is checked above.)
dpkg --root="$root" --force-not-root --force-depends --log=/dev/null -i "${debs[@]}" >"$root/dpkg.log" 2>&1 ||
  { cat "$root/dpkg.log" >&2; fail "dpkg -i failed"; }

sluice="$root/usr/bin/sluice"
version=$("$sluice" --version)
[[ "$version" == "sluice $(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"* ]] ||
  fail "installed sluice --version said: $version"
"$root/usr/bin/kubesim" --version | grep -q '^kubesim ' || fail "installed kubesim --version failed"
"$sluice" validate "$root"/usr/share/doc/sluice/examples/*.yaml >/dev/null || fail "validate of the shipped examples failed"
[ -f "$root/usr/share/doc/sluice/LICENSE" ] || fail "LICENSE not installed"
[ -f "$root/usr/share/sluice/rbac.yaml" ] || fail "deploy/rbac.yaml not installed"
[ -f "$root/usr/share/doc/sluice/docs/exit-codes.md" ] || fail "docs not installed"
MANWIDTH=80 man -l "$root/usr/share/man/man1/sluice.1" 2>/dev/null | grep -q 'EXIT STATUS' || fail "man page does not render"
bash --norc -c "source '$root/usr/share/bash-completion/completions/sluice' && complete -p sluice" |
  grep -q '_sluice sluice' || fail "bash completion does not register"
[ -f "$root/usr/share/zsh/vendor-completions/_sluice" ] || fail "zsh completion not installed"
[ -f "$root/usr/share/fish/vendor_completions.d/sluice.fish" ] || fail "fish completion not installed"
echo "package: $(basename "${debs[0]}") and $(basename "${debs[1]}") install and run ($version)"
