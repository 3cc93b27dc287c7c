"""Exporters from upstream MACE / NequIP models to equifuse potential files (.eqf)."""

FORMAT_NAME = "equifuse-potential"
FORMAT_VERSION = 1
