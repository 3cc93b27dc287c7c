#!/usr/bin/env bash
# Builds Kokkos for the host (OpenMP and Serial back-ends), once, in a cache outside the clone:
#   ${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}/kokkos-3.4.01-host/install
# and prints KOKKOS_DIR=<its CMake package folder>. Repeat runs print it and return at once.
#
# Kokkos is in no Debian suite; its only copy in this project's registries is the one PyPI's
# pykokkos-base 0.0.7 source archive carries (external/kokkos, Kokkos 3.4.01, the release the
# LAMMPS of Debian 12 bundles with its KOKKOS package). pip fetches that archive from the index it
# is configured with; it needs scikit-build to read the archive's metadata, so that is installed
# in a private virtual environment next to the build. The archive's checksum is pinned.
# Kokkos 3.4.01 does not compile with CUDA 13 (its half-precision type), so this is the CPU
# build that CI tests the Kokkos code with; GPU builds use a user's own Kokkos (docs/kokkos.md).
# Needs: python3-venv, cmake, g++.
set -euo pipefail

CACHE_DIR="${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}"
ARCHIVE=pykokkos-base-0.0.7.tar.gz
ARCHIVE_SHA256=6339daced1e81a2748f381847d8717cd77d824407da3c263b9491b5630c642b0
root="$CACHE_DIR/kokkos-3.4.01-host"

if [ ! -f "$root/.complete" ]; then
  rm -rf "$root"
  mkdir -p "$root/download"
  echo "install-kokkos: building Kokkos 3.4.01 (OpenMP, Serial) from PyPI's $ARCHIVE in $root" >&2
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install -q scikit-build >&2
  "$root/venv/bin/pip" download -q --no-deps --no-binary :all: --no-build-isolation \
    "pykokkos-base==0.0.7" -d "$root/download" >&2
  echo "$ARCHIVE_SHA256  $root/download/$ARCHIVE" | sha256sum -c --quiet
  tar -xzf "$root/download/$ARCHIVE" -C "$root/download"
  source_dir="$root/download/pykokkos-base-0.0.7/external/kokkos"
  rm -rf "$source_dir/build"  # a configured header set left in the archive
  cmake -S "$source_dir" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 \
    -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON -DBUILD_SHARED_LIBS=ON \
    -DCMAKE_INSTALL_PREFIX="$root/install" >/dev/null
  cmake --build "$root/build" -j "$(nproc)" >/dev/null
  cmake --install "$root/build" >/dev/null
  rm -rf "$root/build" "$root/download" "$root/venv"
  touch "$root/.complete"
fi
echo "KOKKOS_DIR=$root/install/lib/cmake/Kokkos"
