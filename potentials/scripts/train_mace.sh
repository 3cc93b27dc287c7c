#!/bin/sh
# Trains the shipped small MACE potential (potentials/cuau-mace-small.eqf) with mace-torch's own
# trainer on the EMT data of generate_emt_data.py, then exports it with equifuse_export.
#   train_mace.sh PYTHON WORKDIR     (PYTHON: an interpreter with mace-torch 0.3.16 and ase)
# CPU, float64, about 20-30 minutes on 2 cores.
set -eu
python=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$work"
[ -f "$work/data/train.extxyz" ] || "$python" "$here/generate_emt_data.py" "$work/data"
cd "$work"
export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1
"$python" -m mace.cli.run_train \
  --name cuau-mace-small --seed 1 --device cpu --default_dtype float64 \
  --train_file data/train.extxyz --valid_file data/valid.extxyz --test_file data/test.extxyz \
  --energy_key REF_energy --forces_key REF_forces --stress_key REF_stress \
  --E0s average --model MACE --num_interactions 2 --num_channels 16 --max_L 1 --max_ell 3 \
  --correlation 3 --r_max 4.5 --num_radial_basis 8 --radial_MLP '[32, 32, 32]' \
  --batch_size 8 --valid_batch_size 16 --max_num_epochs 30 --lr 0.01 --scheduler_patience 5 \
  --energy_weight 10 --forces_weight 100 --eval_interval 5 --error_table PerAtomRMSE
PYTHONPATH="$root/python" "$python" -m equifuse_export mace cuau-mace-small.model \
  "$root/potentials/cuau-mace-small.eqf"
