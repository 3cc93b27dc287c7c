#!/usr/bin/env bash
# Builds LAMMPS from Debian's own source packages, once, in a cache outside the clone keyed by the
# package version and the build options (${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}/lammps-...).
# Repeat runs print the paths and return at once.
#   scripts/install-lammps.sh [pack FILE]
#       The LAMMPS of this Debian release (the version apt would install), with the PLUGIN
#       package, MPI, OpenMP and a shared library: what pair_style equifuse is built against.
#       The package mirror is the machine's own: the `deb` entries of its apt configuration are
#       copied as `deb-src` into a private apt state under the cache (the system's apt
#       configuration is left as it is). Prints LAMMPS_SOURCE_DIR (its src/), LAMMPS_BINARY.
#   scripts/install-lammps.sh kokkos [host | cuda ARCH] [pack FILE]
#       Debian's LAMMPS 20260704 (the source package of Debian testing) with the KOKKOS package
#       as well, against the Kokkos scripts/install-kokkos.sh builds for the same back-end: what
#       pair_style equifuse/kk is built against (docs/kokkos.md). Its upstream tarball comes from
#       the same mirror, checksum pinned. Prints LAMMPS_KOKKOS_SOURCE_DIR, LAMMPS_KOKKOS_BINARY,
#       KOKKOS_DIR and KOKKOS_CXX_COMPILER.
# `pack FILE` also writes the unpacked source (src/, cmake/, man pages) to FILE.tar.xz, for a
# machine without apt access: there, EQUIFUSE_LAMMPS_SOURCE_ARCHIVE=FILE.tar.xz (or
# EQUIFUSE_LAMMPS_KOKKOS_SOURCE_ARCHIVE for the kokkos build) is used instead of apt, keyed by the
# archive's name.
# Needs: dpkg-dev (dpkg-source), build-essential, cmake, libopenmpi-dev, openmpi-bin, xz-utils.
set -euo pipefail

scripts=$(cd "$(dirname "$0")" && pwd)
. "$scripts/debian-archive.sh"

CACHE_DIR="${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}"
# The configuration is part of the key: change it and a fresh build is made next to the old one.
LAMMPS_CONFIG="PKG_PLUGIN=on BUILD_MPI=on BUILD_SHARED_LIBS=on BUILD_OMP=on"
# The KOKKOS build's LAMMPS: Debian testing's source package, pinned (checksum from its Sources).
KOKKOS_LAMMPS_VERSION=20260704+dfsg
KOKKOS_LAMMPS_ORIG=lammps_${KOKKOS_LAMMPS_VERSION}.orig.tar.gz
KOKKOS_LAMMPS_SHA256=cddbc45a047416bd48a4a0b87f24a5b61b3446982b74d18cafe619c22b17eb62

variant=plain
kokkos_backend=(host)
if [ "${1:-}" = kokkos ]; then
  variant=kokkos
  shift
  case "${1:-}" in
    host) shift ;;
    cuda) kokkos_backend=(cuda "${2:?usage: $0 kokkos cuda ARCH}"); shift 2 ;;
  esac
fi
pack_file=
if [ "${1:-}" = pack ]; then
  pack_file=${2:?usage: $0 [kokkos [host | cuda ARCH]] pack FILE.tar.xz}
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [kokkos [host | cuda ARCH]] [pack FILE.tar.xz]" >&2
  exit 2
fi

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

# Unpacks this variant's source into $root/source.
unpack_source() {
  if [ -n "$archive" ]; then
    echo "install-lammps: building LAMMPS from $archive in $root"
    tar -xJf "$archive" -C "$root/source"
  elif [ "$variant" = kokkos ]; then
    echo "install-lammps: building LAMMPS $KOKKOS_LAMMPS_VERSION with KOKKOS from Debian's source package in $root"
    debian_source_file "pool/main/l/lammps/$KOKKOS_LAMMPS_ORIG" "$KOKKOS_LAMMPS_SHA256" \
      "$root/download/$KOKKOS_LAMMPS_ORIG"
    tar -xzf "$root/download/$KOKKOS_LAMMPS_ORIG" -C "$root/source" src cmake doc/lammps.1 doc/msi2lmp.1
    rm -rf "$root/download"
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
}

cmake_options=(-DCMAKE_BUILD_TYPE=Release -DPKG_PLUGIN=on -DBUILD_MPI=on -DBUILD_SHARED_LIBS=on
               -DBUILD_OMP=on -DWITH_JPEG=no -DWITH_PNG=no -DWITH_FFMPEG=no)
if [ "$variant" = kokkos ]; then
  eval "$("$scripts/install-kokkos.sh" "${kokkos_backend[@]}" | grep '^KOKKOS_')"
  LAMMPS_CONFIG="$LAMMPS_CONFIG PKG_KOKKOS=on EXTERNAL_KOKKOS=on Kokkos=$KOKKOS_DIR"
  cmake_options+=(-DPKG_KOKKOS=on -DEXTERNAL_KOKKOS=on "-DKokkos_DIR=$KOKKOS_DIR" -DWITH_CURL=no
                  -DWITH_GZIP=no)
  if [ "${kokkos_backend[0]}" = cuda ]; then
    # A CUDA Kokkos compiles LAMMPS through its nvcc_wrapper, as LAMMPS's KOKKOS docs prescribe;
    # behind the MPI compiler wrapper, so that CMake's MPI detection sees an MPI compiler.
    export OMPI_CXX=$KOKKOS_CXX_COMPILER MPICH_CXX=$KOKKOS_CXX_COMPILER
    cmake_options+=("-DCMAKE_CXX_COMPILER=$(command -v mpicxx)")
  fi
  archive=${EQUIFUSE_LAMMPS_KOKKOS_SOURCE_ARCHIVE:-}
  name=${archive:+$(basename "$archive" .tar.xz)}
  name=${name:-lammps-${KOKKOS_LAMMPS_VERSION//[:~+]/_}}
  backend_tag=$(IFS=-; echo "${kokkos_backend[*]}")
  root="$CACHE_DIR/$name-kokkos-$backend_tag-$(echo "$LAMMPS_CONFIG" | md5sum | cut -c1-8)"
else
  archive=${EQUIFUSE_LAMMPS_SOURCE_ARCHIVE:-}
  config_tag=$(echo "$LAMMPS_CONFIG" | md5sum | cut -c1-8)
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
fi
binary="$root/build/lmp"

if [ ! -f "$root/.complete" ]; then
  # An interrupted build resumes where it stopped (the KOKKOS build is long).
  if [ ! -f "$root/.configured" ]; then
    rm -rf "$root"
    mkdir -p "$root/source" "$root/download"
    unpack_source
    if [ "$variant" = kokkos ]; then
      # This LAMMPS asks for Kokkos 5.1.0, the release it bundles; Debian's archive has 5.0.2,
      # with which its KOKKOS package builds and runs (tested: docs/kokkos.md). Accept Kokkos 5.
      sed -i 's/find_package(Kokkos 5\.1\.0 REQUIRED CONFIG)/find_package(Kokkos 5.0 REQUIRED CONFIG)/' \
        "$root/source/cmake/Modules/Packages/KOKKOS.cmake"
    fi
    cmake -S "$root/source/cmake" -B "$root/build" "${cmake_options[@]}" >/dev/null
    touch "$root/.configured"
  else
    echo "install-lammps: resuming the build in $root"
  fi
  cmake --build "$root/build" -j "$(nproc)" >/dev/null
  "$binary" -h >/dev/null
  echo "$LAMMPS_CONFIG" > "$root/.complete"
fi

if [ -n "$pack_file" ]; then
  tar -cJf "$pack_file" -C "$root/source" src cmake doc/lammps.1 doc/msi2lmp.1
  echo "install-lammps: wrote $pack_file" >&2
fi
if [ "$variant" = kokkos ]; then
  echo "LAMMPS_KOKKOS_SOURCE_DIR=$root/source/src"
  echo "LAMMPS_KOKKOS_BINARY=$binary"
  echo "KOKKOS_DIR=$KOKKOS_DIR"
  echo "KOKKOS_CXX_COMPILER=$KOKKOS_CXX_COMPILER"
else
  echo "LAMMPS_SOURCE_DIR=$root/source/src"
  echo "LAMMPS_BINARY=$binary"
fi
