"""Reusable pieces of the web UI (the explore, compare and classroom pages share them)."""

from .compare import DifferenceTable, ForkControls
from .downloads import DownloadRun
from .event_feed import EventFeed, UpcomingEvents
from .figures import CapacityChart, FlowChart, LicenceChart, PriceChart, ShortageCharts
from .levers import LeverPanel
from .markup import Html, Lines
from .run_controls import MonthBanner, PlayControls, ScenarioPicker
from .tables import Table
from .why import WhyPanel

__all__ = [
    "CapacityChart",
    "DifferenceTable",
    "DownloadRun",
    "EventFeed",
    "FlowChart",
    "ForkControls",
    "Html",
    "LeverPanel",
    "LicenceChart",
    "Lines",
    "MonthBanner",
    "PlayControls",
    "PriceChart",
    "ScenarioPicker",
    "ShortageCharts",
    "Table",
    "UpcomingEvents",
    "WhyPanel",
]
