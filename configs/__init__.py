"""Data shipped with the package: scenario library, calibration tables, example sweeps, Dask settings."""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
