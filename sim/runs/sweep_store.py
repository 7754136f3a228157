"""A sweep's results on disk: Parquet parts written as runs finish, gathered into results.parquet.

Parts are written under a temporary name and renamed, so a sweep killed at any moment leaves only whole
parts; `--resume` reads which run ids they hold and runs the rest."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd


def done_ids(out_dir: Path) -> set[int]:
    parts = sorted((out_dir / "parts").glob("part-*.parquet"))
    if not parts:
        return set()
    return set(pd.concat([pd.read_parquet(p, columns=["run_id"]) for p in parts])["run_id"].tolist())


class PartWriter:
    """Collects finished runs and writes them as a new part every `every_seconds`: an interrupted sweep
    loses at most that much work, and the writes (~30 ms each) stay a small share of the parent
    process's time, which the workers need."""

    def __init__(self, out_dir: Path, every_seconds: float = 2.0):
        self.parts = out_dir / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.index = len(list(self.parts.glob("part-*.parquet")))
        self.every_seconds = every_seconds
        self.pending: list[dict] = []
        self.written = time.monotonic()

    def add(self, rows: list[dict]) -> None:
        self.pending.extend(rows)
        if time.monotonic() - self.written >= self.every_seconds:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            tmp = self.parts / f".part-{self.index:06d}.tmp"
            pd.DataFrame(self.pending).to_parquet(tmp, index=False)
            tmp.replace(self.parts / f"part-{self.index:06d}.parquet")
            self.index, self.pending = self.index + 1, []
        self.written = time.monotonic()


def gather(out_dir: Path, columns: list[str]) -> pd.DataFrame:
    """All parts as one table, one row per run id (the last written wins), in run-id order."""
    parts = sorted((out_dir / "parts").glob("part-*.parquet"))
    table = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        return table
    table = table.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)
    ordered = [c for c in columns if c in table.columns] + sorted(c for c in table.columns if c not in columns)
    table = table[ordered]
    table.to_parquet(out_dir / "results.parquet", index=False)
    return table
