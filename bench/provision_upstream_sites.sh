#!/usr/bin/env bash
# Unpacks the upstream packages' wheels (downloaded elsewhere as bench/README.md says; list in
# results/2026-11-24-h100-models/peer-wheels.txt) into one PYTHONPATH folder per upstream, on a
# GPU machine without network: OUT/mace (mace-torch with its e3nn 0.4.4) and OUT/nequip (nequip,
# on the machine's own e3nn 0.6). The two source-only packages contribute their module folders.
#   bench/provision_upstream_sites.sh WHEEL_DIR OUT
set -euo pipefail
wheels=$1
out=$2
mace=(mace_torch e3nn-0.4.4 opt_einsum- opt_einsum_fx configargparse ase matscipy prettytable
      wcwidth lmdb orjson torch_ema gitpython gitdb smmap)
nequip=(nequip hydra_core omegaconf ase matscipy vesin)
unpack() {
  local site=$1 prefix wheel
  shift
  mkdir -p "$site"
  for prefix in "$@"; do
    for wheel in "$wheels/$prefix"*.whl; do python3 -m zipfile -e "$wheel" "$site"; done
  done
}
unpack "$out/mace" "${mace[@]}"
unpack "$out/nequip" "${nequip[@]}"
scratch=$(mktemp -d)
tar -xzf "$wheels"/python_hostlist-*.tar.gz -C "$scratch"
cp "$scratch"/python_hostlist-*/hostlist.py "$out/mace/"
tar -xzf "$wheels"/antlr4-python3-runtime-*.tar.gz -C "$scratch"
cp -r "$scratch"/antlr4-python3-runtime-*/src/antlr4 "$out/nequip/"
rm -rf "$scratch"
