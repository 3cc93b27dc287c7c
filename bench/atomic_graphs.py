"""Neighbour graphs of periodic atomic structures for the convolution benchmark (our own code).

fcc copper (a = 3.61 Angstrom) and a cubic box of water at liquid density (0.0334 molecules per
cubic Angstrom: oxygens on a jittered grid, hydrogens at 0.9572 Angstrom and 104.52 degrees in
random orientations). Edges are every pair (i, j, periodic image) closer than r_cut, excluding an
atom with itself in the same image, sorted by receiver i then sender j: one edge per neighbour
and image, as MACE's and NequIP's neighbour lists give.
"""

import math

import torch

FCC_LATTICE = 3.61
WATER_SPACING = (1.0 / 0.0334) ** (1.0 / 3.0)


def fcc_copper(cells: int):
    """Positions [4 cells^3, 3] and the cubic box edge of an fcc supercell."""
    basis = torch.tensor([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], dtype=torch.float64)
    grid = torch.stack(torch.meshgrid(*[torch.arange(cells, dtype=torch.float64)] * 3, indexing="ij"), -1)
    positions = (grid.reshape(-1, 1, 3) + basis).reshape(-1, 3) * FCC_LATTICE
    return positions, cells * FCC_LATTICE


def water_box(molecules_per_side: int, seed: int = 0):
    """Positions [3 n^3, 3] (O, H, H per molecule) and the cubic box edge."""
    gen = torch.Generator().manual_seed(seed)
    n = molecules_per_side
    grid = torch.stack(torch.meshgrid(*[torch.arange(n, dtype=torch.float64)] * 3, indexing="ij"), -1).reshape(-1, 3)
    oxygen = (grid + 0.5) * WATER_SPACING + 0.3 * torch.randn(grid.shape, generator=gen, dtype=torch.float64)
    half = math.radians(104.52) / 2
    local = 0.9572 * torch.tensor([[math.sin(half), math.cos(half), 0.0], [-math.sin(half), math.cos(half), 0.0]],
                                  dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(grid.shape[0], 3, 3, generator=gen, dtype=torch.float64))
    hydrogens = oxygen[:, None, :] + local @ q.transpose(1, 2)
    positions = torch.cat([oxygen[:, None, :], hydrogens], dim=1).reshape(-1, 3)
    return positions, n * WATER_SPACING


def neighbour_graph(positions: torch.Tensor, box: float, r_cut: float, device: str = "cpu"):
    """(senders, receivers) of all pairs within r_cut in a cubic periodic box, sorted by receiver."""
    pos = positions.to(device)
    n = pos.shape[0]
    minimum_image = box >= 2 * r_cut  # then each pair has at most one image within r_cut
    if minimum_image:
        shifts = torch.zeros(1, 3, device=device, dtype=pos.dtype)
    else:
        images = math.ceil(r_cut / box)
        rng = torch.arange(-images, images + 1, device=device, dtype=pos.dtype)
        shifts = torch.stack(torch.meshgrid(rng, rng, rng, indexing="ij"), -1).reshape(-1, 3) * box
    chunk = max(1, int(2e7 // (n * shifts.shape[0])))
    senders, receivers = [], []
    for start in range(0, n, chunk):
        centre = pos[start:start + chunk]
        # [chunk, images, n] vectors from sender j (in each image) to receiver i.
        d = centre[:, None, None, :] - (pos[None, None, :, :] + shifts[None, :, None, :])
        if minimum_image:
            d = d - box * torch.round(d / box)
        within = (d * d).sum(-1) < r_cut * r_cut
        i, s, j = torch.nonzero(within, as_tuple=True)
        self_pair = (i + start == j) & (shifts[s].abs().sum(-1) == 0)
        i, s, j = i[~self_pair], s[~self_pair], j[~self_pair]
        order = torch.argsort((i * n + j) * shifts.shape[0] + s)  # by receiver, then sender, then image
        receivers.append(i[order] + start)
        senders.append(j[order])
    return torch.cat(senders), torch.cat(receivers)
