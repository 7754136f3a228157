"""Kept so that scripts written against `sim.outputs` keep working; the module's home is `sim.runs.outputs`.

The world's own modules never import this one: it belongs to the run machinery."""

from .runs.outputs import EVENT_COLUMNS, TABLE_MAKERS, outcomes, summary, table, tables, write_outputs

__all__ = ["EVENT_COLUMNS", "TABLE_MAKERS", "outcomes", "summary", "table", "tables", "write_outputs"]
