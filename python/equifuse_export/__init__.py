"""Exporters from upstream MACE / NequIP models to equifuse potential files (.eqf)."""

FORMAT_NAME = "equifuse-potential"
FORMAT_VERSION = 2  # model_loader/potential_file.hpp: kPotentialFormatVersion
