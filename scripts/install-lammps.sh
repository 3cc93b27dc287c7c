#!/usr/bin/env bash
# Builds LAMMPS from Debian's own source package (PLUGIN package, MPI, shared library), once, in
# a cache outside the clone keyed by the package version:
#   ${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}/lammps-<debian version>/{source,build}
# Repeat runs print the paths and return at once. The package mirror is the machine's own: the
# `deb` entries of its apt configuration are copied as `deb-src` into a private apt state under
# the cache, so the system's apt configuration is left as it is.
#   scripts/install-lammps.sh            build if needed, then print KEY=VALUE lines:
#                                        LAMMPS_SOURCE_DIR (its src/), LAMMPS_BINARY (lmp)
#   scripts/install-lammps.sh pack FILE  write the unpacked Debian source (src/, cmake/, man
#                                        pages) to FILE.tar.xz, for a machine without apt access
# On such a machine set EQUIFUSE_LAMMPS_SOURCE_ARCHIVE=FILE.tar.xz: the build uses it instead of
# apt, keyed by the archive's name.
# Needs: dpkg-dev (dpkg-source), build-essential, cmake, libopenmpi-dev, openmpi-bin.
set -euo pipefail

CACHE_DIR="${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}"
# The configuration is part of the key: change it and a fresh build is made next to the old one.
LAMMPS_CONFIG="PKG_PLUGIN=on BUILD_MPI=on BUILD_SHARED_LIBS=on BUILD_OMP=on"
config_tag=$(echo "$LAMMPS_CONFIG" | md5sum | cut -c1-8)

apt_private="$CACHE_DIR/apt-source"
apt_options=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_private/sources"
             -o "Dir::State::Lists=$apt_private/lists" -o "Dir::Cache=$apt_private/cache"
             -o "APT::Sandbox::User=root")

# deb822 (*.sources) and one-line (*.list) entries of type deb, rewritten as deb-src.
write_source_entries() {
  rm -rf "$apt_private/sources"
  mkdir -p "$apt_private/sources" "$apt_private/lists/partial" "$apt_private/cache/archives/partial"
  local f n=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed -n '/^Types:/{s/^Types:.*\bdeb\b.*/Types: deb-src/};p' "$f" > "$apt_private/sources/$n.sources"
    n=$((n + 1))
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$apt_private/sources/$n.list"
    n=$((n + 1))
  done
}

# The version apt would install, so the build matches the distribution the machine runs.
package_version() {
  apt-cache policy lammps | sed -n 's/^[[:space:]]*Candidate:[[:space:]]*//p'
}

archive=${EQUIFUSE_LAMMPS_SOURCE_ARCHIVE:-}
if [ -n "$archive" ]; then
  root="$CACHE_DIR/$(basename "$archive" .tar.xz)-$config_tag"
else
  version=$(package_version)
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "install-lammps: apt knows no 'lammps' package on this machine" >&2
    exit 1
  fi
  # An epoch or binNMU suffix does not change the source; drop characters unsafe in paths.
  source_version=${version%%+b[0-9]*}
  root="$CACHE_DIR/lammps-${source_version//[:~]/_}-$config_tag"
fi
binary="$root/build/lmp"

if [ ! -f "$root/.complete" ]; then
  rm -rf "$root"
  mkdir -p "$root/source"
  if [ -n "$archive" ]; then
    echo "install-lammps: building LAMMPS from $archive in $root"
    tar -xJf "$archive" -C "$root/source"
  else
    echo "install-lammps: building LAMMPS $source_version from Debian's source package in $root"
    mkdir -p "$root/download"
    write_source_entries
    apt-get -qq "${apt_options[@]}" update
    (cd "$root/download" && apt-get -qq "${apt_options[@]}" source --download-only "lammps=$source_version")
    rm -rf "$root/source"
    dpkg-source --no-check -x "$root"/download/lammps_*.dsc "$root/source" >/dev/null
    rm -rf "$root/download"
  fi
  cmake -S "$root/source/cmake" -B "$root/build" -DCMAKE_BUILD_TYPE=Release \
    -DPKG_PLUGIN=on -DBUILD_MPI=on -DBUILD_SHARED_LIBS=on -DBUILD_OMP=on \
    -DWITH_JPEG=no -DWITH_PNG=no -DWITH_FFMPEG=no >/dev/null
  cmake --build "$root/build" -j "$(nproc)" >/dev/null
  "$binary" -h >/dev/null
  echo "$LAMMPS_CONFIG" > "$root/.complete"
fi

if [ "${1:-}" = pack ]; then
  [ -n "${2:-}" ] || { echo "usage: $0 pack FILE.tar.xz" >&2; exit 2; }
  tar -cJf "$2" -C "$root/source" src cmake doc/lammps.1 doc/msi2lmp.1
  echo "install-lammps: wrote $2" >&2
fi
echo "LAMMPS_SOURCE_DIR=$root/source/src"
echo "LAMMPS_BINARY=$binary"
