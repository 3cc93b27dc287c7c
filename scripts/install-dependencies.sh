#!/usr/bin/env bash
# Installs what equifuse needs on Debian, idempotently: nothing is downloaded when everything is
# already there.
#   scripts/install-dependencies.sh main    compilers and libraries to build and run equifuse
#   scripts/install-dependencies.sh tests   the above, GoogleTest, the e3nn reference
#                                           environment (Debian's python3-torch + e3nn from PyPI)
#                                           and the Python package's environment (below)
# The e3nn environment is a virtualenv outside the clone, keyed by version, under
# ${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}; its interpreter is printed by `... python-path`.
# The package environment (`... package-python-path`) is another, keyed by the versions it pins:
# what building and testing the equifuse Python package needs (nanobind, scikit-build-core, ASE,
# phonopy, matplotlib, pytest), all from PyPI.
set -euo pipefail

E3NN_VERSION=0.5.5  # the newest e3nn that runs on Debian 12's torch 1.13 (0.5.6+ need torch.compiler)
CACHE_DIR="${EQUIFUSE_CACHE:-$HOME/.cache/equifuse}"

# Pinned: a change of any version makes a new environment (its name holds their hash).
PACKAGE_REQUIREMENTS=(nanobind==3.1.0 scikit-build-core==1.1.2 numpy==2.4.6 scipy==1.17.1 ase==3.29.0
  matplotlib==3.11.2 phonopy==4.8.6 pytest==9.2.0)

debian_python_tag() {
  /usr/bin/python3 -c 'import sys; print("py%d.%d" % sys.version_info[:2])'
}

# The environment is keyed by the e3nn version and by Debian's interpreter, which it is built on.
e3nn_env() {
  echo "$CACHE_DIR/e3nn-$E3NN_VERSION-$(debian_python_tag)"
}

package_env() {
  local key
  key=$(printf '%s\n' "${PACKAGE_REQUIREMENTS[@]}" | sha256sum | cut -c1-12)
  echo "$CACHE_DIR/python-package-$key-$(debian_python_tag)"
}

# MPI, dpkg-dev and xz-utils: LAMMPS and Kokkos, built from Debian's source packages
# (scripts/install-lammps.sh, scripts/install-kokkos.sh).
main_packages=(build-essential cmake nlohmann-json3-dev libopenmpi-dev openmpi-bin dpkg-dev xz-utils)
# clang-14, its runtime libraries (libFuzzer, sanitizers) and OpenMP: the fuzzers (fuzz/).
test_packages=(libgtest-dev python3 python3-venv python3-dev python3-torch libtorch-dev python3-scipy python3-sympy python3-numpy hipcc
  clang-format-14 clang-14 libclang-rt-14-dev libomp-14-dev)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "equifuse: installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_e3nn_env() {
  local E3NN_ENV
  E3NN_ENV=$(e3nn_env)
  local py="$E3NN_ENV/bin/python"
  if [ -x "$py" ] && "$py" -c "import e3nn, sys; sys.exit(e3nn.__version__ != '$E3NN_VERSION')" 2>/dev/null; then
    return
  fi
  echo "equifuse: creating the e3nn $E3NN_VERSION reference environment in $E3NN_ENV"
  rm -rf "$E3NN_ENV"
  mkdir -p "$CACHE_DIR"
  # Debian's interpreter, so that Debian's torch is visible to the environment.
  /usr/bin/python3 -m venv --system-site-packages "$E3NN_ENV"
  "$E3NN_ENV/bin/pip" install -q --disable-pip-version-check \
    "e3nn==$E3NN_VERSION" "opt_einsum_fx==0.1.4" "opt_einsum==3.3.0"
}

# Not on Debian's site packages: its numpy is older than what matplotlib and phonopy need.
install_package_env() {
  local env
  env=$(package_env)
  if [ -f "$env/.complete" ]; then
    return
  fi
  echo "equifuse: creating the Python package's environment in $env"
  rm -rf "$env"
  mkdir -p "$CACHE_DIR"
  /usr/bin/python3 -m venv "$env"
  "$env/bin/pip" install -q --disable-pip-version-check "${PACKAGE_REQUIREMENTS[@]}"
  touch "$env/.complete"
}

case "${1:-main}" in
  main) install_apt "${main_packages[@]}" ;;
  tests) install_apt "${main_packages[@]}" "${test_packages[@]}"; install_e3nn_env; install_package_env ;;
  python-path) echo "$(e3nn_env)/bin/python" ;;
  package-python-path) echo "$(package_env)/bin/python" ;;
  *) echo "usage: $0 main|tests|python-path|package-python-path" >&2; exit 2 ;;
esac
