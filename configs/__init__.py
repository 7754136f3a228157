"""Data shipped with the package: scenario library, calibration tables, example sweeps."""
