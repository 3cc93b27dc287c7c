#!/usr/bin/env python3
"""Energy + forces time of equifuse against the upstream model it was exported from, on the same
structures: fcc Cu and liquid water boxes of growing size.

    model_benchmark.py --family mace|nequip --equifuse PATH/TO/equifuse --out RESULTS.jsonl
                       [--atoms 1000 4000] [--device cpu|cuda] [--repeat 5]
                       [--shape omat0-medium|mp0a-medium|mh1|nequip-oam-l] [--cueq] [--oeq] [--fastmace]

Run it with a Python that has the upstream package (mace-torch or nequip). One randomly
initialised model per family, with H, O and Cu and production-like sizes (MACE: 64x0e+64x1o,
l_max 3, correlation 3, 2 layers, r_max 5; NequIP: 32 features, l_max 1, 4 layers, r_max 5), is
built upstream, exported to .eqf and evaluated by both sides in float64 (and equifuse in float32).
Upstream time: model forward + autograd forces on a prebuilt graph (what a LAMMPS step costs it);
equifuse time: `equifuse eval --repeat` model time (energy, forces, virial), neighbour list
reported separately. --shape builds a foundation-model architecture at full size instead
(89 elements; OMAT-0 medium: Density blocks, ZBL, Agnesi, 128x0e+128x1o; MP-0a medium: Residual
blocks, 128x0e+128x1o; both r_max 6, Bessel 10, radial MLP 64x3; MH-1: non-linear blocks, edge
irreps in both layers, element-agnostic product, cutoff passed to the interactions, ZBL, Agnesi, one
head; NequIP-OAM-L with --family nequip: 6 layers, 128x0e+64x1o+32x2e+32x3o, scalar last layer, type
embedding 48, ZBL, r_max 6; sizes and their sources at MH1_CHANNELS and NEQUIP_SHAPES; the
parameter count goes to stderr), and on the CPU each row also
has peak_rss_mib: the largest resident memory of the process that ran it (upstream in a fresh
python per row, equifuse eval, each started by GNU time). --systems picks fcc-Cu and/or water,
--who equifuse or upstream one side. Upstream runs in float64 and float32, plain and, on request, accelerated:
MACE converted to cuEquivariance (--cueq), NequIP with its enable_CuEquivariance (--cueq) and
enable_OpenEquivariance (--oeq) model modifiers, and MACE in FastMACE (--fastmace, who
mace-fastmace: fm.load of the same model saved whole, fm.ForceField, its force call on prebuilt
edges; see fastmace_runner; "api" says what was timed). Each row: who, family, system, atoms, edges,
device, precision, threads, ms, and on a GPU peak_mib: the most device memory in use during the
run (torch.cuda.max_memory_allocated upstream, `equifuse eval`'s own count for equifuse; both
include the model's weights and the graph).
"""

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import ase  # noqa: E402
import ase.data  # noqa: E402
import ase.io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from atomic_graphs import fcc_copper, water_box  # noqa: E402

SPECIES = ["H", "O", "Cu"]


def structures(atom_counts):
    for target in atom_counts:
        cells = max(1, round((target / 4) ** (1 / 3)))
        positions, box = fcc_copper(cells)
        yield "fcc-Cu", ase.Atoms(f"Cu{len(positions)}", positions=positions.numpy(), cell=[box] * 3, pbc=True)
        side = max(1, round((target / 3) ** (1 / 3)))
        positions, box = water_box(side)
        symbols = ["O", "H", "H"] * (len(positions) // 3)
        yield "water", ase.Atoms(symbols, positions=positions.numpy(), cell=[box] * 3, pbc=True)


def mace_model():
    from e3nn import o3
    from mace import modules
    torch.manual_seed(0)
    return modules.ScaleShiftMACE(
        r_max=5.0, num_bessel=8, num_polynomial_cutoff=5, max_ell=3,
        interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        interaction_cls_first=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        num_interactions=2, num_elements=3, hidden_irreps=o3.Irreps("64x0e+64x1o"),
        MLP_irreps=o3.Irreps("16x0e"), atomic_energies=np.array([-1.0, -2.0, -3.0]),
        avg_num_neighbors=20.0, atomic_numbers=[1, 8, 29], correlation=3,
        gate=torch.nn.functional.silu, radial_MLP=[64, 64, 64], atomic_inter_scale=1.0,
        atomic_inter_shift=0.0).eval()


MACE_SHAPES = ["omat0-medium", "mp0a-medium", "mh1"]
# The 89 elements of MACE-MP / OMAT (Z 1-83, 89-94).
FOUNDATION_ELEMENTS = list(range(1, 84)) + list(range(89, 95))


# MACE-MH-1 (mace-foundations/mace-mh-1, mace-torch >= 0.3.14; arXiv:2510.25380) at full size.
# Options as python/equifuse_reference/mace_foundation_reference.py has them for the public checkpoint
# (non-linear blocks in both layers, edge irreps in the first layer too, element-agnostic product, the
# cutoff passed to the interactions instead of applied to the radial basis, ZBL, Agnesi, Bessel 10,
# r_max 6, correlation 3, 2 layers, 16x0e MLP per head). Sizes: L=1 hidden features (mace-torch's
# own MH-1 test, tests/test_foundations.py, reloads it with load_foundations_elements(max_L=1)).
# The channel counts were not in any source this session could read (model card and paper tables
# out of reach), so they are inferred, and are the least certain numbers here: MH1_CHANNELS hidden
# channels (512, the width of the other 2025 multi-domain MACE models: OMol25's MACE used
# 512x0e+512x1o+512x2e, fairchem issue 1457) and edge irreps of half that width, as the reference
# spec scales them (8x hidden, 4x edge); radial MLP 64x3 as every other MACE foundation model.
# That is 8.81 M parameters with one head; the published file (mace-mh-1.model, about 59 MB of
# mostly float64 tensors, six heads) suggests 6-7.5 M, so the real model may be somewhat narrower
# (edge irreps 128x0e+128x1o would give 6.40 M; 384 channels with equal edge irreps 7.87 M).
# One head: the other five only add a readout row and an E0 table each.
MH1_CHANNELS = 512


def mace_foundation_model(shape):
    """A randomly initialised model of a public MACE foundation architecture, at full size."""
    from e3nn import o3
    from mace import modules
    torch.manual_seed(0)
    classes = modules.interaction_classes
    n = len(FOUNDATION_ELEMENTS)
    medium = dict(r_max=6.0, num_bessel=10, hidden_irreps=o3.Irreps("128x0e+128x1o"), radial_MLP=[64, 64, 64],
                  avg_num_neighbors=40.0)
    c, e = MH1_CHANNELS, MH1_CHANNELS // 2
    options = {
        "omat0-medium": dict(medium, interaction_cls_first=classes["RealAgnosticDensityInteractionBlock"],
                             interaction_cls=classes["RealAgnosticDensityResidualInteractionBlock"],
                             pair_repulsion=True, distance_transform="Agnesi"),
        "mp0a-medium": dict(medium, interaction_cls_first=classes["RealAgnosticResidualInteractionBlock"],
                            interaction_cls=classes["RealAgnosticResidualInteractionBlock"]),
        "mh1": dict(r_max=6.0, num_bessel=10, hidden_irreps=o3.Irreps(f"{c}x0e+{c}x1o"),
                    edge_irreps=o3.Irreps(f"{e}x0e+{e}x1o"), use_edge_irreps_first=True,
                    radial_MLP=[64, 64, 64], avg_num_neighbors=40.0,
                    interaction_cls_first=classes["RealAgnosticResidualNonLinearInteractionBlock"],
                    interaction_cls=classes["RealAgnosticResidualNonLinearInteractionBlock"],
                    use_agnostic_product=True, apply_cutoff=False, pair_repulsion=True,
                    distance_transform="Agnesi"),
    }[shape]
    return modules.ScaleShiftMACE(
        num_polynomial_cutoff=5, max_ell=3, num_interactions=2, num_elements=n,
        MLP_irreps=o3.Irreps("16x0e"), atomic_energies=-np.linspace(1.0, 5.0, n),
        atomic_numbers=FOUNDATION_ELEMENTS, correlation=3, gate=torch.nn.functional.silu,
        atomic_inter_scale=1.0, atomic_inter_shift=0.0, **options).eval()


def mace_runner(model, atoms, device, dtype=torch.float64):
    """Energy, forces and stress of `atoms` on a prebuilt graph; returns (run, edges)."""
    from mace import data as mace_data
    from mace.tools import torch_geometric, utils as mace_utils
    table = mace_utils.AtomicNumberTable([int(z) for z in model.atomic_numbers])
    item = mace_data.AtomicData.from_config(mace_data.config_from_atoms(atoms), z_table=table,
                                            cutoff=float(model.r_max))
    batch = next(iter(torch_geometric.dataloader.DataLoader([item], batch_size=1))).to(device).to_dict()
    batch = {k: (v.to(dtype) if torch.is_floating_point(v) else v) for k, v in batch.items()}
    model = model.to(device).to(dtype)
    return (lambda: model(batch, compute_force=True, compute_stress=True)), int(batch["edge_index"].shape[1])


def nequip_model(model_dtype="float64"):
    from nequip.model import NequIPGNNModel
    from nequip.utils.global_state import set_global_state
    set_global_state()
    return NequIPGNNModel(seed=0, model_dtype=model_dtype, type_names=SPECIES, r_max=5.0, num_layers=4,
                          l_max=1, parity=False, num_features=32, radial_mlp_depth=1,
                          radial_mlp_width=64, avg_num_neighbors=20.0,
                          per_type_energy_scales={s: 1.0 for s in SPECIES},
                          per_type_energy_shifts={s: -1.0 for s in SPECIES}).eval()


# NequIP-OAM-L 0.1 (nequip.net:mir-group/NequIP-OAM-L:0.1) at full size. From its model card
# (matbench-discovery models/nequip/nequip-OAM-L-0.1.yml, hyperparams; 9.6 M parameters): r_max 6,
# l_max 3, 6 layers, 128 l=0 / 64 l=1 / 32 l=2 and l=3 features, parity false (e3nn's natural
# parities 0e 1o 2e 3o, as python/equifuse_reference/nequip_reference.py has them), type embedding 48,
# ZBL, polynomial cutoff p 5, 8 trainable Bessel functions; scalar last layer as nequip's builder
# makes it. Not on the card: the radial MLP (nequip's defaults, depth 2 x width 64, here) and
# avg_num_neighbors (nequip_reference.py's value for OAM-L).
OAM_TYPES = [ase.data.chemical_symbols[z] for z in FOUNDATION_ELEMENTS]  # nequip's order: by Z
NEQUIP_SHAPES = {
    "nequip-oam-l": dict(
        type_names=OAM_TYPES, r_max=6.0, irreps_edge_sh="1x0e+1x1o+1x2e+1x3o", type_embed_num_features=48,
        feature_irreps_hidden=["128x0e+64x1o+32x2e+32x3o"] * 5 + ["128x0e"], radial_mlp_depth=[2] * 6,
        radial_mlp_width=[64] * 6, num_bessels=8, bessel_trainable=True, polynomial_cutoff_p=5,
        avg_num_neighbors=62.012104256525795,
        pair_potential={"_target_": "nequip.nn.pair_potential.ZBL", "units": "metal",
                        "chemical_species": OAM_TYPES},
        per_type_energy_shifts={t: -1.0 - 0.01 * i for i, t in enumerate(OAM_TYPES)},
        per_type_energy_scales={t: 0.5 + 0.01 * i for i, t in enumerate(OAM_TYPES)}),
}


def nequip_foundation_model(shape, model_dtype="float64"):
    """A randomly initialised NequIP foundation architecture at full size (89 elements)."""
    from nequip.model import FullNequIPGNNModel
    from nequip.utils.global_state import set_global_state
    set_global_state()
    return FullNequIPGNNModel(seed=0, model_dtype=model_dtype, **NEQUIP_SHAPES[shape]).eval()


def nequip_builder(shape):
    """model_dtype -> model, and the runner options (type names, r_max) of that model."""
    if shape is None:
        return nequip_model, {"type_names": SPECIES, "r_max": 5.0}
    spec = NEQUIP_SHAPES[shape]
    return (lambda model_dtype="float64": nequip_foundation_model(shape, model_dtype)), \
        {"type_names": spec["type_names"], "r_max": spec["r_max"]}


def nequip_runner(model, atoms, device, type_names=SPECIES, r_max=5.0):
    """Energy and forces of `atoms` on a prebuilt graph; returns (run, edges)."""
    from nequip.data import AtomicDataDict, compute_neighborlist_, from_ase
    data = compute_neighborlist_(from_ase(atoms), r_max=r_max)
    data[AtomicDataDict.ATOM_TYPE_KEY] = torch.tensor([type_names.index(s) for s in atoms.get_chemical_symbols()])
    data = AtomicDataDict.with_batch_(data)
    data = {k: v.to(device) for k, v in data.items()}
    model = model.to(device)
    return (lambda: model(dict(data))), int(data[AtomicDataDict.EDGE_INDEX_KEY].shape[1])


def nequip_accelerated(model_dtype, modifier, build=None):
    """A NequIP model with one of its kernel modifiers (enable_OpenEquivariance,
    enable_CuEquivariance) applied, as nequip-compile --modifiers would."""
    from nequip.model.modify_utils import modify
    return modify((build or nequip_model)(model_dtype), [{"modifier": modifier}]).eval()


def time_upstream(run, device, repeat):
    run()  # warm-up
    times = []
    for _ in range(repeat):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def run_equifuse(binary, eqf, xyz, precision, repeat, device):
    """`equifuse eval --repeat`: model ms, neighbour list ms, edges, (GPU) peak MiB in use and
    peak RSS of the process (MiB)."""
    out, rss = run_measured([binary, "eval", eqf, xyz, "--quiet", "--precision", precision, "--device",
                             device, "--repeat", str(repeat)])
    match = re.search(r"timing: model ([0-9.]+) ms .*neighbour list ([0-9.]+) ms", out)
    host = re.search(r"host memory: peak in use ([0-9.]+) MiB", out)
    edges = int(re.search(r"atoms, ([0-9]+) edges", out).group(1))
    memory = re.search(r"device memory: peak in use ([0-9.]+) MiB", out)
    return {"ms": float(match.group(1)), "neighbour_list_ms": float(match.group(2)), "edges": edges,
            **({"peak_mib": float(memory.group(1))} if memory else {}),
            **({"arrays_peak_mib": float(host.group(1))} if host else {}),
            **({"peak_rss_mib": rss} if device == "cpu" else {})}


def run_measured(command):
    """Runs `command`; returns (stdout, peak RSS of that process in MiB). Each measurement is a
    fresh process (not a fork of this one, whose torch threads a fork can deadlock), started by
    GNU time, so that its peak memory is its own (a child forked from this python would count this
    process's pages until its exec)."""
    marker = "peak-rss-kib="
    process = subprocess.run(["/usr/bin/time", "-f", marker + "%M", *command], capture_output=True, text=True)
    lines = process.stderr.rstrip().splitlines()
    stderr = "\n".join(lines[:-1])
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, process.stdout, stderr)
    return process.stdout, int(lines[-1].removeprefix(marker)) / 1024


def measure_upstream_in_child(args, variant, xyz):
    """One upstream row timed in a fresh python (--measure): (ms, edges, peak RSS MiB)."""
    command = [sys.executable, os.path.abspath(__file__), "--family", args.family, "--equifuse",
               args.equifuse, "--out", os.devnull, "--repeat", str(args.repeat), "--measure",
               str(variant), xyz] + (["--shape", args.shape] if args.shape else []) \
        + [flag for flag, on in (("--cueq", args.cueq), ("--oeq", args.oeq), ("--fastmace", args.fastmace),
                                 ("--without-plain", args.without_plain)) if on] + ["--precisions", *args.precisions]
    try:
        stdout, rss = run_measured(command)
    except subprocess.CalledProcessError as error:
        raise RuntimeError((error.stderr or error.stdout or "")[-300:]) from None
    result = json.loads(stdout.strip().splitlines()[-1])
    return result["ms"], result["edges"], rss, result.get("api")


def fastmace_runner(checkpoint, atoms, device, precision):
    """FastMACE (fastmace 1.0, its public API) on `atoms`; returns (run, edges).

    `checkpoint` is the benchmark's own random MACE model saved whole (torch.save) in float64:
    fm.load(path, trusted=True) loads it as FastMACE's pristine model (no download: a path is
    unpickled with trusted=True), fm.ForceField(loaded, atoms, precision=...) plans it (backend,
    rewrites and their self-checks, chosen by its planner for this structure), and one
    ForceField.evaluate(atoms, stress=True) builds the evaluation force field (the compiled tier's
    MACEForceField, with stress) and its neighbour list. What is timed is that force field's own
    force call, field(positions): energy, forces and stress at the given positions on the edges
    already built (what one MD step costs it, CUDA graphs aside): the prebuilt graph, as for the
    other upstream rows. ForceField keeps that force field privately (ForceField._evaluator); where
    it is not there, the row times ForceField.evaluate itself (neighbour list rebuild, host copies)
    and says so in "api". FastMACE is for NVIDIA GPUs; on the CPU it may refuse (a row with error)."""
    import fastmace as fm
    loaded = fm.load(checkpoint, trusted=True)
    force_field = fm.ForceField(loaded, atoms, precision=precision)
    force_field.evaluate(atoms, stress=True)  # plans, builds and checks once
    field = None
    try:
        field = force_field._evaluator(atoms)[1]
        positions = field._prepare_one_off(atoms)
        edges = int(field.edge_count)
    except (AttributeError, TypeError, KeyError, IndexError):
        field = None
    if field is None:
        run = lambda: force_field.evaluate(atoms, stress=True)  # noqa: E731
        run.api = "ForceField.evaluate"
        return run, -1

    def run():
        return field(positions)
    run.api = "MACEForceField(positions)"
    return run, edges


def upstream_variants(family, model, device, cueq, oeq, fastmace=False, nequip_build=None, nequip_options=None,
                      work=None):
    """(who, precision, runner(atoms) -> (run, edges)) for every upstream configuration to time.
    Accelerated models are built lazily, inside the runner, so that a failing one is a row.
    FastMACE rows load a float64 CPU copy of `model` saved under `work` before any runner moves it."""
    def mace_cueq(atoms, dtype):
        from mace.cli.convert_e3nn_cueq import run as to_cueq
        torch.set_default_dtype(torch.float64)
        try:
            return mace_runner(to_cueq(model, device=device, return_model=True).eval(), atoms, device, dtype)
        finally:
            torch.set_default_dtype(torch.float64)

    if family == "mace":
        variants = [("mace-upstream", name, lambda a, d=dtype: mace_runner(model, a, device, d))
                    for name, dtype in (("float64", torch.float64), ("float32", torch.float32))]
        if cueq:
            variants += [("mace-upstream-cuequivariance", name, lambda a, d=dtype: mace_cueq(a, d))
                         for name, dtype in (("float64", torch.float64), ("float32", torch.float32))]
        if fastmace:
            checkpoint = os.path.join(work or tempfile.mkdtemp(), "fastmace-input.model")
            torch.save(copy.deepcopy(model).to("cpu").to(torch.float64), checkpoint)
            variants += [("mace-fastmace", name, lambda a, n=name: fastmace_runner(checkpoint, a, device, n))
                         for name in ("float64", "float32")]
        return variants
    build = nequip_build or nequip_model
    options = nequip_options or {"type_names": SPECIES, "r_max": 5.0}
    variants = [("nequip-upstream", "float64", lambda a: nequip_runner(model, a, device, **options)),
                ("nequip-upstream", "float32", lambda a: nequip_runner(build("float32"), a, device, **options))]
    for wanted, who, modifier in ((oeq, "nequip-upstream-openequivariance", "enable_OpenEquivariance"),
                                  (cueq, "nequip-upstream-cuequivariance", "enable_CuEquivariance")):
        if wanted:
            variants += [(who, name, lambda a, n=name, m=modifier: nequip_runner(nequip_accelerated(n, m, build), a,
                                                                                 device, **options))
                         for name in ("float64", "float32")]
    return variants


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["mace", "nequip"], required=True)
    parser.add_argument("--equifuse", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--atoms", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cueq", action="store_true",
                        help="also upstream with cuEquivariance: MACE converted by mace.cli.convert_e3nn_cueq, "
                             "NequIP with enable_CuEquivariance")
    parser.add_argument("--oeq", action="store_true",
                        help="NequIP: also upstream with enable_OpenEquivariance")
    parser.add_argument("--shape", choices=MACE_SHAPES + list(NEQUIP_SHAPES),
                        help="a foundation architecture at full size (89 elements): MACE "
                             + ", ".join(MACE_SHAPES) + "; NequIP " + ", ".join(NEQUIP_SHAPES))
    parser.add_argument("--fastmace", action="store_true",
                        help="MACE: also FastMACE (fm.load + fm.ForceField) on the same model, float64 and float32")
    parser.add_argument("--who", choices=["all", "equifuse", "upstream"], default="all",
                        help="equifuse alone reaches sizes whose upstream run does not fit in memory")
    parser.add_argument("--precisions", nargs="+", choices=["float64", "float32"], default=["float64", "float32"],
                        help="the precisions every implementation runs in")
    parser.add_argument("--without-plain", action="store_true",
                        help="leave out the plain upstream model (at sizes where its accelerated variants are the peers)")
    parser.add_argument("--systems", nargs="+", choices=["fcc-Cu", "water"], default=["fcc-Cu", "water"])
    parser.add_argument("--measure", nargs=2, metavar=("VARIANT", "XYZ"),
                        help=argparse.SUPPRESS)  # child mode: one upstream variant on one structure
    args = parser.parse_args()
    if args.shape and (args.shape in MACE_SHAPES) != (args.family == "mace"):
        parser.error(f"--shape {args.shape} is not a {args.family} architecture")
    if args.fastmace and args.family != "mace":
        parser.error("--fastmace is a MACE peer")
    torch.set_default_dtype(torch.float64)
    nequip_build = nequip_options = None
    if args.family == "mace":
        from equifuse_export.mace_export import export_mace
        model = mace_foundation_model(args.shape) if args.shape else mace_model()
        export = export_mace
    else:
        from equifuse_export.nequip_export import export_nequip
        nequip_build, nequip_options = nequip_builder(args.shape)
        model, export = nequip_build(), export_nequip
    print(f"{args.family} {args.shape or 'default'}: {parameter_count(model):,} parameters", file=sys.stderr,
          flush=True)
    threads = torch.get_num_threads()
    gpu = args.device == "cuda"
    scratch = tempfile.TemporaryDirectory()
    variants = upstream_variants(args.family, model, args.device, args.cueq, args.oeq, args.fastmace,
                                 nequip_build, nequip_options, scratch.name)
    variants = [v for v in variants if v[1] in args.precisions
                and not (args.without_plain and v[0] in ("mace-upstream", "nequip-upstream"))]
    equifuse_precisions = tuple(p for p in ("float64", "float32") if p in args.precisions)
    if args.who == "equifuse" and not args.measure:
        variants = []
    elif args.who == "upstream":
        equifuse_precisions = ()
    if args.measure:  # a fresh process timing one upstream variant, for its own peak memory
        run, edges = variants[int(args.measure[0])][2](ase.io.read(args.measure[1]))
        print(json.dumps({"ms": time_upstream(run, args.device, args.repeat), "edges": edges,
                          **({"api": run.api} if hasattr(run, "api") else {})}))
        return
    with tempfile.TemporaryDirectory() as work, open(args.out, "a") as sink:
        eqf = os.path.join(work, "model.eqf")
        export(model, eqf)
        for system, atoms in structures(args.atoms):
            if system not in args.systems:
                continue
            xyz = os.path.join(work, f"{system}.extxyz")
            ase.io.write(xyz, atoms)
            rows = []
            for index, (who, precision, make_run) in enumerate(variants):
                row = {"who": who, "precision": precision}
                if gpu:
                    torch.cuda.empty_cache()
                    torch.cuda.reset_peak_memory_stats()
                try:
                    if gpu or not args.shape:
                        run, edges = make_run(atoms)
                        row.update({"ms": time_upstream(run, args.device, args.repeat),
                                    **({"edges": edges} if edges >= 0 else {}),
                                    **({"api": run.api} if hasattr(run, "api") else {})})
                    else:
                        ms, edges, rss, api = measure_upstream_in_child(args, index, xyz)
                        row.update({"ms": ms, "peak_rss_mib": rss, **({"edges": edges} if edges >= 0 else {}),
                                    **({"api": api} if api else {})})
                    if gpu:
                        row["peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
                except Exception as error:  # record, do not hide, a failing peer (out of memory)
                    row["error"] = f"{type(error).__name__}: {error}"[:300]
                finally:
                    run = None
                rows.append(row)
            if gpu:
                torch.cuda.empty_cache()  # equifuse runs in another process: leave it the GPU
            for precision in equifuse_precisions:
                row = {"who": "equifuse", "precision": precision}
                try:
                    row.update(run_equifuse(args.equifuse, eqf, xyz, precision, args.repeat, args.device))
                except subprocess.CalledProcessError as error:
                    row["error"] = (error.stderr or error.stdout or str(error))[-300:]
                rows.append(row)
            for row in rows:
                row.update({"family": args.family, "shape": args.shape, "system": system, "atoms": len(atoms),
                            "device": args.device, "threads": threads})
                sink.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
            sink.flush()  # a run stopped by a time limit keeps the systems it has finished


if __name__ == "__main__":
    main()
