#!/bin/sh
# Trains the shipped small NequIP potential (potentials/cuau-nequip-small.eqf) with nequip-train on
# the EMT data of generate_emt_data.py, then exports it with equifuse_export.
#   train_nequip.sh PYTHON WORKDIR   (PYTHON: an interpreter with nequip 0.19.1 and ase)
# CPU, float64.
set -eu
python=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$work"
[ -f "$work/data/train.extxyz" ] || "$python" "$here/generate_emt_data.py" "$work/data"
cd "$work"
export DATA_DIR="$work/data"
"$(dirname "$python")/nequip-train" -cp "$here" -cn nequip_cuau.yaml hydra.run.dir="$work/run"
PYTHONPATH="$root/python" "$python" -m equifuse_export nequip "$work/run/best.ckpt" \
  "$root/potentials/cuau-nequip-small.eqf"
