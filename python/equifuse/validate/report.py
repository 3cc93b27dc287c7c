"""The validation's results as a printed table, a Markdown table and JSON (the same rows)."""

import dataclasses
import json


def rows(m):
    """(quantity, Errors) in the order every output lists them; absent quantities left out."""
    out = [("energy per atom", m.energy_per_atom), ("forces (components)", m.forces)]
    out += [(f"forces on {symbol}", e) for symbol, e in m.forces_by_element.items()]
    out.append(("stress (Voigt components)", m.stress))
    return [(name, e) for name, e in out if e is not None]


def table(m):
    lines = [f"{'quantity':<28} {'unit':<9} {'MAE':>10} {'RMSE':>10} {'max':>10} {'count':>8}"]
    for name, e in rows(m):
        lines.append(f"{name:<28} {e.unit:<9} {e.mae:10.3f} {e.rmse:10.3f} {e.max:10.3f} {e.count:8d}")
    return "\n".join(lines)


def markdown(m, title):
    lines = [f"# {title}", "", f"{m.frames} structures, {m.atoms} atoms.", "",
             "| quantity | unit | MAE | RMSE | max | count |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for name, e in rows(m):
        lines.append(f"| {name} | {e.unit} | {e.mae:.3f} | {e.rmse:.3f} | {e.max:.3f} | {e.count} |")
    return "\n".join(lines) + "\n"


def as_json(m, header):
    """header: what was validated (potential, data, keys, device, precision)."""
    errors = {"energy_per_atom": m.energy_per_atom, "forces": m.forces, "stress": m.stress}
    body = {name: dataclasses.asdict(e) if e else None for name, e in errors.items()}
    body["forces_by_element"] = {s: dataclasses.asdict(e) for s, e in m.forces_by_element.items()}
    return json.dumps({**header, "frames": m.frames, "atoms": m.atoms, **body}, indent=2) + "\n"
