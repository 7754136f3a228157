"""Calendar months as `YYYY-MM` strings and as integer month numbers (year * 12 + month - 1)."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> int:
    """`"2024-03"` -> month number; ValueError with a readable reason otherwise."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a YYYY-MM month")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has month {month}; months run 01-12")
    if not 1900 <= year <= 2200:
        raise ValueError(f"'{text}' has year {year}; years run 1900-2200")
    return year * 12 + month - 1


def format_month(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def add_months(text: str, months: int) -> str:
    return format_month(parse_month(text) + months)
