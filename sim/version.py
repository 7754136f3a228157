"""The package version, written into every run's summary.json."""

__version__ = "0.1.0"
