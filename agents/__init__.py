"""Agents decide: states (with pluggable strategies) and firms of four kinds."""

from .firms import FIRM_CLASSES, MagnetMaker, Manufacturer, Miner, Refiner
from .state import StateAgent

__all__ = ["FIRM_CLASSES", "MagnetMaker", "Manufacturer", "Miner", "Refiner", "StateAgent"]
