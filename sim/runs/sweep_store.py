"""A sweep's results on disk: Parquet parts written as runs finish, gathered into results.parquet.

- Parts are written under a temporary name and renamed, so a sweep killed at any moment leaves only whole
  parts; `--resume` reads which run ids they hold and runs the rest (`--retry-failed`: and the failed ones;
  the newest row of a run id wins).
- `design.json` records the design's fingerprint (`sweep_design.fingerprint_content`) when a sweep starts; a
  resume with another design is refused before anything in the folder changes.
- `results.parquet` carries schema metadata (key `ree`: scenario, months, seed policy, version, units per
  column) and each column's unit in its field metadata; `series.parquet` holds the chosen monthly series
  per run, long: run_id, series, date, value.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DESIGN_FILE = "design.json"


def _parts(out_dir: Path, kind: str = "part") -> list[Path]:
    return sorted((out_dir / "parts").glob(f"{kind}-*.parquet"))


def finished_ids(out_dir: Path, retry_failed: bool = False) -> set[int]:
    """Run ids the folder holds a result for (with `retry_failed`, only those whose newest result is ok)."""
    parts = _parts(out_dir)
    if not parts:
        return set()
    table = pd.concat([pd.read_parquet(p, columns=["run_id", "status"]) for p in parts], ignore_index=True)
    newest = table.drop_duplicates("run_id", keep="last")
    if retry_failed:
        newest = newest[newest["status"] == "ok"]
    return set(newest["run_id"].tolist())


def done_ids(out_dir: Path) -> set[int]:
    return finished_ids(out_dir)


def read_design_record(out_dir: Path) -> dict | None:
    path = out_dir / DESIGN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_design_record(out_dir: Path, fingerprint: str, content: dict, sweep_text: str) -> None:
    record = {"fingerprint": fingerprint, "design": content}
    (out_dir / DESIGN_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out_dir / "sweep.toml").write_text(sweep_text, encoding="utf-8")


class PartWriter:
    """Collects finished runs and writes them as a new part every `every_seconds`: an interrupted sweep
    loses at most that much work, and the writes (~30 ms each) stay a small share of the parent
    process's time, which the workers need. A run's monthly series (`_series` rows) go to series parts."""

    def __init__(self, out_dir: Path, every_seconds: float = 2.0):
        self.parts = out_dir / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        # numbered after the newest part: a resumed sweep's rows must come after the ones they replace
        numbers = [int(p.stem.split("-")[1]) for p in self.parts.glob("*-*.parquet")]
        self.index = max(numbers, default=-1) + 1
        self.every_seconds = every_seconds
        self.pending: list[dict] = []
        self.written = time.monotonic()

    def add(self, rows: list[dict]) -> None:
        self.pending.extend(rows)
        if time.monotonic() - self.written >= self.every_seconds:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            series = [dict(row, run_id=r["run_id"]) for r in self.pending for row in r.get("_series", [])]
            results = [{k: v for k, v in r.items() if k != "_series"} for r in self.pending]
            if series:  # first: a part of results is what marks a run done
                self._write("series", pd.DataFrame(series)[["run_id", "series", "date", "value"]])
            self._write("part", pd.DataFrame(results))
            self.index, self.pending = self.index + 1, []
        self.written = time.monotonic()

    def _write(self, kind: str, frame: pd.DataFrame) -> None:
        tmp = self.parts / f".{kind}-{self.index:06d}.tmp"
        frame.to_parquet(tmp, index=False)
        tmp.replace(self.parts / f"{kind}-{self.index:06d}.parquet")


def gather(out_dir: Path, columns: list[str], metadata: dict | None = None, aggregates: dict | None = None
           ) -> pd.DataFrame:
    """All parts as one table, one row per run id (the last written wins), in run-id order; written to
    results.parquet with `metadata` and the outcome columns' units (and series.parquet when the sweep keeps
    series)."""
    parts = _parts(out_dir)
    table = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        return table
    table = table.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)
    ordered = [c for c in columns if c in table.columns] + sorted(c for c in table.columns if c not in columns)
    table = table[ordered]
    if metadata is not None:
        from .sweep_outcomes import units
        metadata = {**metadata, "units": units([c for c in ordered if c not in columns], aggregates)}
    write_parquet(table, out_dir / "results.parquet", metadata)
    series = _parts(out_dir, "series")
    if series:
        long = pd.concat([pd.read_parquet(p) for p in series], ignore_index=True)
        long = long[long["run_id"].isin(set(table["run_id"]))]
        long = (long.drop_duplicates(["run_id", "series", "date"], keep="last")
                .sort_values(["run_id", "series", "date"]).reset_index(drop=True))
        write_parquet(long, out_dir / "series.parquet", metadata and {**metadata, "units": {}})
    return table


def write_parquet(table: pd.DataFrame, path: Path, metadata: dict | None) -> None:
    """A Parquet file whose schema says what the sweep was (key `ree`) and each column's unit."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if metadata:
        units = metadata.get("units", {})
        fields = [field.with_metadata({"unit": units[field.name]}) if field.name in units else field
                  for field in arrow.schema]
        schema = pa.schema(fields, metadata={**(arrow.schema.metadata or {}),
                                             b"ree": json.dumps(metadata, sort_keys=True).encode("utf-8")})
        arrow = arrow.cast(schema)
    pq.write_table(arrow, path)


def read_metadata(path: Path) -> dict:
    """The `ree` metadata of a results.parquet (empty for a folder written by an older ree)."""
    raw = (pq.read_schema(path).metadata or {}).get(b"ree")
    return json.loads(raw) if raw else {}
