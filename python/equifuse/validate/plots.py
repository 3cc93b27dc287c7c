"""Parity plots (predicted against reference: energy per atom, force components coloured by
element, stress components) and a bar chart of the force errors per element, as PNG files."""

import os

import numpy as np

_STRESS_LABELS = ("xx", "yy", "zz", "yz", "xz", "xy")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def _parity(plt, path, groups, unit, title, errors):
    """groups: (label, predicted, reference) drawn in turn."""
    fig, ax = plt.subplots(figsize=(4.8, 4.6))
    values = np.concatenate([np.concatenate([p, r]) for _, p, r in groups])
    lo, hi = float(values.min()), float(values.max())
    pad = 0.05 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.6", lw=1, zorder=0)
    for label, predicted, reference in groups:
        ax.scatter(reference, predicted, s=8, alpha=0.6, label=label, edgecolors="none")
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(f"reference ({unit})")
    ax.set_ylabel(f"predicted ({unit})")
    ax.set_title(f"{title}\nMAE {errors.mae:.2f}, RMSE {errors.rmse:.2f} {errors.unit}", fontsize=10)
    if len(groups) > 1:
        ax.legend(fontsize=8, markerscale=2)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def write_plots(comparison, metrics, symbols, directory, prefix=""):
    """The PNG files written (those whose quantity the data has)."""
    plt = _pyplot()
    c, m = comparison, metrics
    written = []
    name = lambda base: os.path.join(directory, f"{prefix}{base}.png")
    if m.energy_per_atom:
        e = c.energy_per_atom
        written.append(_parity(plt, name("parity_energy"), [("", e[:, 0], e[:, 1])], "eV/atom",
                               "energy per atom", m.energy_per_atom))
    if m.forces:
        groups = [(symbols[z], c.forces[c.force_elements == z, 0], c.forces[c.force_elements == z, 1])
                  for z in sorted(symbols) if (c.force_elements == z).any()]
        written.append(_parity(plt, name("parity_forces"), groups, "eV/A", "force components", m.forces))
    if m.stress:
        s = c.stress.reshape(-1, 6, 2)
        groups = [(label, s[:, k, 0], s[:, k, 1]) for k, label in enumerate(_STRESS_LABELS)]
        written.append(_parity(plt, name("parity_stress"), groups, "eV/A^3", "stress components", m.stress))
    if m.forces_by_element:
        fig, ax = plt.subplots(figsize=(1.6 + 0.9 * len(m.forces_by_element), 3.8))
        x = np.arange(len(m.forces_by_element))
        errors = list(m.forces_by_element.values())
        ax.bar(x - 0.2, [e.mae for e in errors], 0.4, label="MAE")
        ax.bar(x + 0.2, [e.rmse for e in errors], 0.4, label="RMSE")
        ax.set_xticks(x, list(m.forces_by_element))
        ax.set_ylabel("force error (meV/A)")
        ax.set_title("force errors per element", fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        written.append(name("force_errors_by_element"))
        fig.savefig(written[-1], dpi=150)
        plt.close(fig)
    return written
