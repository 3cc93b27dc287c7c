#!/usr/bin/env bash
# Builds Kokkos, once, in a cache outside the clone, and prints KOKKOS_DIR=<its CMake package
# folder> and KOKKOS_CXX_COMPILER=<the compiler to build code that uses it with>. Repeat runs print
# them and return at once.
#   scripts/install-kokkos.sh              OpenMP and Serial back-ends (CI, CPU runs)
#   scripts/install-kokkos.sh cuda ARCH    CUDA (+ Serial) for Kokkos's ARCH (HOPPER90, AMPERE80,
#                                          ADA89, ...), compiled through Kokkos's nvcc_wrapper
#   ${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}/kokkos-<version>-<back-end>/install
#
# The source is Debian's kokkos source package (upstream's release tarball, checksum pinned from
# Debian's signed .dsc), from the mirror of the machine's apt configuration. Kokkos 5.0.2 is the
# release LAMMPS's KOKKOS package of Debian's LAMMPS 20260704 builds with (scripts/install-lammps.sh
# kokkos) and it supports CUDA 13. On a machine without apt access, set
# EQUIFUSE_KOKKOS_SOURCE_ARCHIVE to a copy of the tarball.
# Needs: cmake, g++ (and the CUDA toolkit for `cuda`).
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
. "$scripts/debian-archive.sh"

KOKKOS_VERSION=5.0.2
ORIG=kokkos_${KOKKOS_VERSION}.orig.tar.gz
ORIG_SHA256=188817bb452ca805ee8701f1c5adbbb4fb83dc8d1c50624566a18a719ba0fa5e
CACHE_DIR="${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}"

backend=${1:-host}
case "$backend" in
  host) tag=host
        options=(-DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON) ;;
  cuda) arch=${2:?usage: $0 cuda ARCH (Kokkos architecture name, e.g. HOPPER90)}
        tag=cuda-$arch
        options=(-DKokkos_ENABLE_CUDA=ON -DKokkos_ENABLE_SERIAL=ON "-DKokkos_ARCH_$arch=ON") ;;
  *) echo "usage: $0 [host | cuda ARCH]" >&2; exit 2 ;;
esac
root="$CACHE_DIR/kokkos-$KOKKOS_VERSION-$tag"

if [ ! -f "$root/.complete" ]; then
  rm -rf "$root"
  mkdir -p "$root/source"
  archive=${EQUIFUSE_KOKKOS_SOURCE_ARCHIVE:-}
  if [ -z "$archive" ]; then
    archive="$root/$ORIG"
    debian_source_file "pool/main/k/kokkos/$ORIG" "$ORIG_SHA256" "$archive"
  fi
  echo "$ORIG_SHA256  $archive" | sha256sum -c --quiet
  echo "install-kokkos: building Kokkos $KOKKOS_VERSION ($tag) in $root" >&2
  tar -xzf "$archive" -C "$root/source" --strip-components=1
  if [ "$backend" = cuda ]; then
    options+=("-DCMAKE_CXX_COMPILER=$root/source/bin/nvcc_wrapper")
  fi
  cmake -S "$root/source" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
    -DCMAKE_INSTALL_PREFIX="$root/install" "${options[@]}" >/dev/null
  cmake --build "$root/build" -j "$(nproc)" >/dev/null
  cmake --install "$root/build" >/dev/null
  # A CUDA install keeps its source: the installed package compiles through its nvcc_wrapper.
  rm -rf "$root/build" "$root/$ORIG"
  [ "$backend" = cuda ] || rm -rf "$root/source"
  touch "$root/.complete"
fi
echo "KOKKOS_DIR=$root/install/lib/cmake/Kokkos"
# The compiler that code using this Kokkos is built with (nvcc_wrapper for CUDA).
if [ "$backend" = cuda ]; then
  echo "KOKKOS_CXX_COMPILER=$root/source/bin/nvcc_wrapper"
else
  echo "KOKKOS_CXX_COMPILER=$(command -v c++)"
fi
