"""equifuse_torch against e3nn: the module API, values, first and second derivatives, and a
MACE-like interaction block with e3nn's TensorProduct swapped for ours.

Usage: EQUIFUSE_TEST_DEVICE=cpu|cuda python test_torch_frontend.py [-v]
Exit status 77 (reported by ctest as skipped) when torch or e3nn is missing, or when the device
is cuda and no GPU (or no CUDA build of the ops) is present.
"""

import copy
import io
import os
import sys
import unittest

SKIP = 77
DEVICE = os.environ.get("EQUIFUSE_TEST_DEVICE", "cpu")

try:
    import torch
    from e3nn import o3
    from e3nn.nn import FullyConnectedNet
except ImportError as exc:  # pragma: no cover
    print(f"SKIPPED: {exc}")
    sys.exit(SKIP)

import equifuse_torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python", "equifuse_reference"))
from e3nn_problems import channelwise_instructions  # noqa: E402

if DEVICE == "cuda" and not torch.cuda.is_available():
    print("SKIPPED: no CUDA device")
    sys.exit(SKIP)

# e3nn computes its Wigner 3j tables in the default dtype when a module is built; build every
# module in float64 so that the float64 comparisons are against an exact e3nn.
torch.set_default_dtype(torch.float64)
TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-4}
DTYPES = [torch.float64] if DEVICE == "cpu" else [torch.float64, torch.float32]


def relative_error(a, b):
    scale = b.abs().max().clamp_min(1e-30)
    return ((a - b).abs().max() / scale).item()


def channelwise(irreps_in1, irreps_in2, target):
    """MACE's convolution TP construction (one uvu block per path, output sorted)."""
    irreps_in1, irreps_in2 = o3.Irreps(irreps_in1), o3.Irreps(irreps_in2)
    irreps_out, instructions = channelwise_instructions(irreps_in1, irreps_in2, o3.Irreps(target))
    return irreps_in1, irreps_in2, irreps_out, instructions


# (irreps_in1, irreps_in2, irreps_out, instructions, keyword arguments)
CASES = {
    "uvu per-sample (MACE)": (*channelwise("4x0e+3x1o+2x2e", "0e+1o+2e+3o", "0e+1o+2e+3o"),
                              {"shared_weights": False, "internal_weights": False}),
    "uvw shared, internal weights": ("3x0e+2x1o", "2x0e+1x1o+1x2e", "2x0e+3x1o+1x2o",
                                     [(0, 0, 0, "uvw", True), (1, 1, 0, "uvw", True),
                                      (0, 1, 1, "uvw", True), (1, 0, 1, "uvw", True),
                                      (1, 2, 1, "uvw", True, 0.5), (1, 2, 2, "uvw", True)], {}),
    "uvv / uuw / uuu mixed, norm + path": ("3x0e+3x1o", "3x0e+2x1o", "2x1o+3x1o+3x0e+4x0e",
                                           [(0, 1, 0, "uvv", True), (1, 0, 1, "uuw", True),
                                            (1, 0, 1, "uuu", False), (0, 0, 2, "uuu", True),
                                            (0, 0, 3, "uuw", True)],
                                           {"irrep_normalization": "norm", "path_normalization": "path"}),
    "variances, unweighted paths": ("2x0e+2x1o", "0e+1o", "2x0e+2x1o+2x1e",
                                    [(0, 0, 0, "uvu", False), (1, 1, 0, "uvu", True),
                                     (1, 0, 1, "uvu", True), (1, 1, 2, "uvu", False)],
                                    {"in1_var": [1.0, 2.0], "in2_var": [0.5, 3.0],
                                     "out_var": [1.5, 1.0, 0.25]}),
}


def random_weights(module, rows, dtype, device, generator):
    if module.shared_weights:
        return torch.randn(module.weight_numel, dtype=dtype, device=device, generator=generator)
    return torch.randn(rows, module.weight_numel, dtype=dtype, device=device, generator=generator)


def derivatives(module, x, y, w, r, v, u, s):
    """out, first derivatives of <r, out> and second derivatives of <v,gx>+<u,gy>+<s,gw>."""
    leaves = [t.clone().requires_grad_(True) for t in (x, y, w, r)]
    x, y, w, r = leaves
    out = module(x, y, w if w.numel() else None)
    gx, gy, gw = torch.autograd.grad((out * r).sum(), (x, y, w), create_graph=True, allow_unused=True)
    second_target = (gx * v).sum() + (gy * u).sum() + (0 if gw is None else (gw * s).sum())
    second = torch.autograd.grad(second_target, (x, y, w, r), allow_unused=True)
    zero = lambda g, like: torch.zeros_like(like) if g is None else g  # noqa: E731
    return [out, gx, gy, zero(gw, w)] + [zero(g, t) for g, t in zip(second, leaves)]


class TensorProductModuleTest(unittest.TestCase):
    def test_metadata_and_state_dict_match_e3nn(self):
        for name, (in1, in2, out, instructions, kwargs) in CASES.items():
            with self.subTest(name):
                ref = o3.TensorProduct(in1, in2, out, instructions, **kwargs)
                ours = equifuse_torch.TensorProduct(in1, in2, out, instructions, **kwargs)
                self.assertEqual(ours.weight_numel, ref.weight_numel)
                self.assertEqual((ours.shared_weights, ours.internal_weights),
                                 (ref.shared_weights, ref.internal_weights))
                self.assertEqual(ours.irreps_out, ref.irreps_out)
                for a, b in zip(ours.instructions, ref.instructions):
                    self.assertEqual(a[:5], b[:5])
                    self.assertEqual(tuple(a.path_shape), tuple(b.path_shape))
                    self.assertAlmostEqual(a.path_weight, b.path_weight, places=12)
                self.assertTrue(torch.equal(ours.output_mask, ref.output_mask))
                self.assertEqual(repr(ours), repr(ref))
                ours.load_state_dict(ref.state_dict())  # strict: same keys and shapes

    def test_fully_connected_matches_e3nn(self):
        ref = o3.FullyConnectedTensorProduct("2x0e+2x1o", "0e+1o+2e", "3x0e+2x1o+1x2e")
        ours = equifuse_torch.FullyConnectedTensorProduct("2x0e+2x1o", "0e+1o+2e", "3x0e+2x1o+1x2e")
        self.assertEqual([tuple(i[:5]) for i in ours.instructions], [tuple(i[:5]) for i in ref.instructions])
        ours.load_state_dict(ref.state_dict())
        g = torch.Generator().manual_seed(3)
        x, y = torch.randn(5, ref.irreps_in1.dim, generator=g), torch.randn(5, ref.irreps_in2.dim, generator=g)
        self.assertLess(relative_error(ours(x, y), ref(x, y)), 1e-5)

    def test_values_and_derivatives_match_e3nn(self):
        device = torch.device(DEVICE)
        for dtype in DTYPES:
            for name, (in1, in2, out, instructions, kwargs) in CASES.items():
                with self.subTest(name, dtype=dtype):
                    ref = o3.TensorProduct(in1, in2, out, instructions, **kwargs).to(device, dtype)
                    ours = equifuse_torch.TensorProduct(in1, in2, out, instructions, **kwargs).to(device, dtype)
                    ours.load_state_dict(ref.state_dict())
                    g = torch.Generator(device=device).manual_seed(7)
                    rows = 9
                    rand = lambda *shape: torch.randn(*shape, dtype=dtype, device=device, generator=g)  # noqa: E731
                    x, y = rand(rows, ref.irreps_in1.dim), rand(rows, ref.irreps_in2.dim)
                    w = (random_weights(ref, rows, dtype, device, g) if not ref.internal_weights
                         else ref.weight.detach().clone())
                    r, v, u = rand(rows, ref.irreps_out.dim), rand(*x.shape), rand(*y.shape)
                    s = rand(*w.shape)
                    expected = derivatives(ref, x, y, w, r, v, u, s)
                    got = derivatives(ours, x, y, w, r, v, u, s)
                    labels = ["out", "grad_x", "grad_y", "grad_w", "dd_x", "dd_y", "dd_w", "dd_grad_out"]
                    for label, a, b in zip(labels, got, expected):
                        self.assertEqual(a.shape, b.shape, label)
                        self.assertLess(relative_error(a, b), TOLERANCE[dtype], label)

    def test_broadcasting_and_batch_shapes_match_e3nn(self):
        in1, in2, out, instructions, kwargs = CASES["uvu per-sample (MACE)"]
        ref = o3.TensorProduct(in1, in2, out, instructions, **kwargs).to(DEVICE, torch.float64)
        ours = equifuse_torch.TensorProduct(in1, in2, out, instructions, **kwargs).to(DEVICE, torch.float64)
        opts = {"dtype": torch.float64, "device": DEVICE}
        x = torch.randn(2, 3, ref.irreps_in1.dim, **opts)
        y = torch.randn(1, 3, ref.irreps_in2.dim, **opts)
        w = torch.randn(2, 1, ref.weight_numel, **opts)
        self.assertLess(relative_error(ours(x, y, w), ref(x, y, w)), 1e-12)
        empty = ours(x[:0], y[:0].expand(0, 3, -1), w[:0])
        self.assertEqual(tuple(empty.shape), (0, 3, ref.irreps_out.dim))

    def test_gradcheck_and_gradgradcheck(self):
        ours = equifuse_torch.TensorProduct(*CASES["uvv / uuw / uuu mixed, norm + path"][:4],
                                            shared_weights=False).to(DEVICE, torch.float64)
        opts = {"dtype": torch.float64, "device": DEVICE, "requires_grad": True}
        x = torch.randn(3, ours._in1_dim, **opts)
        y = torch.randn(3, ours._in2_dim, **opts)
        w = torch.randn(3, ours.weight_numel, **opts)
        self.assertTrue(torch.autograd.gradcheck(ours, (x, y, w)))
        self.assertTrue(torch.autograd.gradgradcheck(ours, (x, y, w)))

    def test_copy_and_serialisation_keep_the_problem(self):
        in1, in2, out, instructions, kwargs = CASES["uvw shared, internal weights"]
        ours = equifuse_torch.TensorProduct(in1, in2, out, instructions, **kwargs).to(DEVICE, torch.float64)
        x = torch.randn(4, ours._in1_dim, dtype=torch.float64, device=DEVICE)
        y = torch.randn(4, ours._in2_dim, dtype=torch.float64, device=DEVICE)
        clone = copy.deepcopy(ours)
        buffer = io.BytesIO()
        torch.save(ours, buffer)
        buffer.seek(0)
        loaded = torch.load(buffer, weights_only=False) if "weights_only" in torch.load.__code__.co_varnames \
            else torch.load(buffer)
        for other in (clone, loaded):
            self.assertTrue(torch.equal(other(x, y), ours(x, y)))

    def test_bad_input_gives_clear_errors(self):
        ours = equifuse_torch.TensorProduct(*CASES["uvu per-sample (MACE)"][:4], shared_weights=False)
        x, y = torch.randn(2, ours._in1_dim), torch.randn(2, ours._in2_dim)
        with self.assertRaisesRegex(RuntimeError, "x must have last dimension"):
            ours(x[:, 1:], y, torch.randn(2, ours.weight_numel))
        with self.assertRaisesRegex(RuntimeError, r"per-sample weights must have shape"):
            ours(x, y, torch.randn(ours.weight_numel + 1))
        with self.assertRaisesRegex(RuntimeError, "Weights must be provided"):
            ours(x, y)
        with self.assertRaisesRegex(RuntimeError, "must be on one device|must share one dtype|float32 or float64"):
            torch.ops.equifuse.tensor_product(ours._plan, x.double(), y.float(),
                                              torch.randn(2, ours.weight_numel))
        with self.assertRaisesRegex(RuntimeError, "instruction 0"):
            equifuse_torch.TensorProduct("0e", "0e", "1o", [(0, 0, 0, "uvw", True)])
        with self.assertRaisesRegex(ValueError, "connection mode"):
            equifuse_torch.TensorProduct("2x0e", "2x0e", "0e", [(0, 0, 0, "uvu<v", True)])
        with self.assertRaisesRegex(RuntimeError, "in1_var"):
            equifuse_torch.TensorProduct("0e+1o", "0e", "0e", [(0, 0, 0, "uvw", True)], in1_var=[1.0])


class MaceLikeInteraction(torch.nn.Module):
    """One MACE interaction block and readout: linear up, radial MLP -> per-edge uvu weights,
    convolution TP on (sender features, edge harmonics), sum over neighbours, linear, energy."""

    def __init__(self, tensor_product_class, channels=8, lmax=2, num_bessel=6, r_max=3.0):
        super().__init__()
        self.r_max = r_max
        self.num_bessel = num_bessel
        hidden = o3.Irreps(f"{channels}x0e+{channels}x1o")
        self.sh_irreps = o3.Irreps.spherical_harmonics(lmax)
        in1, in2, mid, instructions = channelwise(hidden, self.sh_irreps, f"0e+1o+2e")
        self.embedding = torch.nn.Linear(2, channels, bias=False)  # two species, scalar features
        self.linear_up = o3.Linear(f"{channels}x0e", hidden)
        self.conv_tp = tensor_product_class(in1, in2, mid, instructions, shared_weights=False,
                                            internal_weights=False)
        self.radial = FullyConnectedNet([num_bessel, 16, self.conv_tp.weight_numel], torch.nn.functional.silu)
        self.linear_out = o3.Linear(mid, hidden)
        self.readout = o3.Linear(hidden, "0e")

    def forward(self, positions, species, senders, receivers):
        vectors = positions[receivers] - positions[senders]
        lengths = vectors.norm(dim=-1, keepdim=True)
        n = torch.arange(1, self.num_bessel + 1, dtype=positions.dtype, device=positions.device)
        bessel = (2.0 / self.r_max) ** 0.5 * torch.sin(n * torch.pi * lengths / self.r_max) / lengths
        cutoff = 0.5 * (torch.cos(torch.pi * lengths / self.r_max) + 1.0)
        harmonics = o3.spherical_harmonics(self.sh_irreps, vectors, normalize=True, normalization="component")
        nodes = self.linear_up(self.embedding(species))
        messages = self.conv_tp(nodes[senders], harmonics, self.radial(bessel) * cutoff)
        summed = torch.zeros(positions.shape[0], messages.shape[1], dtype=messages.dtype, device=messages.device)
        summed = summed.index_add(0, receivers, messages) / 8.0
        return self.readout(self.linear_out(summed)).sum()


class MaceLikeSwapTest(unittest.TestCase):
    def test_swapping_the_tensor_product_keeps_energy_forces_and_gradients(self):
        device = torch.device(DEVICE)
        for dtype in DTYPES:
            with self.subTest(dtype=dtype):
                torch.manual_seed(11)
                ref = MaceLikeInteraction(o3.TensorProduct).to(device, dtype)
                ours = MaceLikeInteraction(equifuse_torch.TensorProduct).to(device, dtype)
                ours.load_state_dict(ref.state_dict())
                g = torch.Generator(device="cpu").manual_seed(5)
                positions = (torch.rand(14, 3, generator=g, dtype=torch.float64) * 4.0).to(device, dtype)
                species = torch.nn.functional.one_hot(torch.randint(0, 2, (14,), generator=g), 2).to(device, dtype)
                distances = torch.cdist(positions, positions)
                mask = (distances < 3.0) & ~torch.eye(14, dtype=torch.bool, device=device)
                senders, receivers = mask.nonzero(as_tuple=True)
                results = []
                for model in (ref, ours):
                    model.zero_grad()
                    pos = positions.clone().requires_grad_(True)
                    energy = model(pos, species, senders, receivers)
                    forces = -torch.autograd.grad(energy, pos, create_graph=True)[0]
                    loss = energy ** 2 + (forces ** 2).sum()  # a force loss needs double backward
                    loss.backward()
                    grads = [p.grad.clone() for p in model.parameters()]
                    results.append((energy.detach(), forces.detach(), pos.grad.clone(), grads))
                (e0, f0, p0, g0), (e1, f1, p1, g1) = results
                tol = TOLERANCE[dtype] * (10 if dtype == torch.float32 else 1)
                self.assertLess(relative_error(e1, e0), tol)
                self.assertLess(relative_error(f1, f0), tol)
                self.assertLess(relative_error(p1, p0), tol)
                for a, b in zip(g1, g0):
                    self.assertLess(relative_error(a, b), tol)


if __name__ == "__main__":
    print(f"equifuse_torch {equifuse_torch.library_path} on {DEVICE}, torch {torch.__version__}")
    unittest.main()
