"""Command line: write an equifuse potential file (.eqf) from an upstream model.

    python -m equifuse_export mace MODEL.model OUT.eqf [--head NAME] [--check STRUCTURE.extxyz]
    python -m equifuse_export nequip MODEL.ckpt|MODEL.nequip.zip OUT.eqf [--check STRUCTURE.extxyz]

mace: a mace-torch model saved with torch.save (the `.model` files mace_run_train writes and
the foundation models: MACE-MP-0a/0b*, MPA-0, OMAT-0, MatPES, MH-1, MACE-OFF, OMOL; models
converted to cuEquivariance or OpenEquivariance are converted back); run with a Python that has
mace-torch. Every head is written; --head NAME writes only that one. nequip: a training checkpoint or a `nequip-package` file (nequip >= 0.7); run with a
Python that has nequip. --check evaluates the first frame with the upstream package and prints
energy and forces, to compare with `equifuse eval OUT.eqf STRUCTURE.extxyz`. After writing, the
exporter prints the LAMMPS lines that use the file (elements in the model's order).
"""

import argparse
import os
import sys

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")  # mace/e3nn pickles, torch >= 2.6


def _print_lammps_lines(path, species, heads=None, head=None):
    import ase.data

    symbols = " ".join(ase.data.chemical_symbols[z] for z in species)
    keyword = ""
    if heads and len(heads) > 1:
        keyword = f" head {head or heads[0]}"
        print(f"heads: {', '.join(heads)} (pick one with pair_style's head keyword)")
    print("LAMMPS (units metal; map your atom types to these elements, in your types' order):")
    print(f"  pair_style equifuse{keyword}")
    print(f"  pair_coeff * * {path} {symbols}")


def _export_mace(args):
    import torch

    from .mace_export import UnsupportedModel, export_mace

    model = torch.load(args.model, map_location="cpu", weights_only=False)
    model = model.double()
    try:
        config = export_mace(model, args.output, source_note=os.path.basename(args.model),
                             head=args.head)
    except UnsupportedModel as error:
        sys.exit(f"equifuse_export: {args.model}: {error}")
    print(f"wrote {args.output}: MACE, {len(config['interactions'])} interactions, "
          f"{len(config['species'])} elements, r_max {config['r_max']}, "
          f"{len(config['heads'])} head(s)")
    _print_lammps_lines(args.output, config["species"], config["heads"])
    if args.check:
        import ase.io
        from mace.calculators import MACECalculator

        atoms = ase.io.read(args.check, index=0)
        atoms.calc = MACECalculator(model_paths=args.model, device="cpu", default_dtype="float64",
                                    **({"head": args.head} if args.head else {}))
        print(f"mace-torch: energy {atoms.get_potential_energy():.10f} eV")
        for i, force in enumerate(atoms.get_forces()):
            print(f"  {i + 1:4d} {force[0]:13.8f} {force[1]:13.8f} {force[2]:13.8f}")


def _export_nequip(args):
    import torch
    from nequip.model.saved_models.load_utils import load_saved_model
    from nequip.utils.global_state import set_global_state

    from .mace_export import UnsupportedModel
    from .nequip_export import export_nequip

    torch.set_default_dtype(torch.float64)
    set_global_state()
    model = load_saved_model(args.model, compile_mode="eager").double()
    try:
        config = export_nequip(model, args.output, source_note=os.path.basename(args.model))
    except UnsupportedModel as error:
        sys.exit(f"equifuse_export: {args.model}: {error}")
    print(f"wrote {args.output}: NequIP, {len(config['layers'])} layers, "
          f"{len(config['species'])} elements, r_max {config['r_max']}"
          f"{', ZBL' if 'pair_repulsion' in config else ''}")
    _print_lammps_lines(args.output, config["species"])
    if args.check:
        import ase.io
        from nequip.data import AtomicDataDict, compute_neighborlist_, from_ase

        atoms = ase.io.read(args.check, index=0)
        data = compute_neighborlist_(from_ase(atoms), r_max=config["r_max"])
        types = [model.type_names.index(s) for s in atoms.get_chemical_symbols()]
        data[AtomicDataDict.ATOM_TYPE_KEY] = torch.tensor(types, dtype=torch.long)
        out = model(AtomicDataDict.with_batch_(data))
        print(f"nequip: energy {float(out[AtomicDataDict.TOTAL_ENERGY_KEY].reshape(-1)[0]):.10f} eV")
        for i, force in enumerate(out[AtomicDataDict.FORCE_KEY].detach().numpy()):
            print(f"  {i + 1:4d} {force[0]:13.8f} {force[1]:13.8f} {force[2]:13.8f}")


def main():
    parser = argparse.ArgumentParser(prog="python -m equifuse_export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    mace = sub.add_parser("mace", help="a mace-torch .model file")
    mace.add_argument("model")
    mace.add_argument("output")
    mace.add_argument("--head", metavar="NAME", help="write only this head of a multi-head model")
    mace.add_argument("--check", metavar="STRUCTURE", help="print mace-torch's energy and forces")
    nequip = sub.add_parser("nequip", help="a nequip checkpoint (.ckpt) or package (.nequip.zip)")
    nequip.add_argument("model")
    nequip.add_argument("output")
    nequip.add_argument("--check", metavar="STRUCTURE", help="print nequip's energy and forces")
    args = parser.parse_args()
    if args.kind == "mace":
        _export_mace(args)
    else:
        _export_nequip(args)


if __name__ == "__main__":
    main()
