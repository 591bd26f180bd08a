"""Tables from an ``extract`` output directory: ``cnie export`` and :func:`load`.

Takes a directory written by ``cnie extract`` (or its ``indicators.jsonl``); returns pandas
DataFrames, one row per indicator (:func:`load`) or per entity (:func:`load_entities`), and
``cnie export DIR --format csv|parquet|xlsx`` writes them as files:

* csv — ``indicators.csv`` and ``entities.csv`` (UTF-8 with BOM, so spreadsheet programs show
  Chinese correctly);
* parquet — ``indicators.parquet`` and ``entities.parquet``;
* xlsx — ``cnie.xlsx`` with the sheets ``indicators`` and ``entities`` (needs ``openpyxl``:
  ``pip install 'cnie[xlsx]'``; at most 1,048,575 rows per sheet).

Files go to DIR unless ``--out OUTDIR`` is given. Indicator columns, in order: ``doc_id``,
``title``, ``published``, ``type``, ``value``, ``unit``, ``subject``, ``time``, ``scope``,
``change``, ``basis``, ``org``, ``text``, ``start``, ``end``, then ``approx``, ``qualifier``,
``low``, ``high``, ``period``, ``direction``, ``basis_text``, ``subject_head``,
``sentence_start``, ``sentence_end``, ``source_path``, ``source_record``. Entity columns:
``doc_id``, ``title``, ``published``, ``label``, ``text``, ``start``, ``end``, ``normalized``,
``generic``, ``source_path``, ``source_record``. Rows keep the order of ``indicators.jsonl``
(input order) and, within an article, the record's order.

A run that was interrupted and not resumed may end in an incomplete line; it is skipped with
a warning (the rest loads).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

__all__ = ["load", "load_entities", "INDICATOR_COLUMNS", "ENTITY_COLUMNS", "export", "register"]

INDICATOR_COLUMNS = (
    "doc_id", "title", "published", "type", "value", "unit", "subject", "time", "scope", "change",
    "basis", "org", "text", "start", "end", "approx", "qualifier", "low", "high", "period",
    "direction", "basis_text", "subject_head", "sentence_start", "sentence_end", "source_path",
    "source_record",
)
ENTITY_COLUMNS = ("doc_id", "title", "published", "label", "text", "start", "end", "normalized", "generic",
                  "source_path", "source_record")
XLSX_MAX_ROWS = 1_048_575


class ExportError(Exception):
    """The directory or file cannot be read or written (one-line message)."""


def _jsonl_path(directory: os.PathLike | str) -> Path:
    p = Path(directory)
    if p.is_dir():
        p = p / "indicators.jsonl"
    if not p.is_file():
        raise ExportError(f"{p}: no such file (run cnie extract -o DIR first)")
    return p


def _records(directory: os.PathLike | str) -> Iterator[dict[str, Any]]:
    path = _jsonl_path(directory)
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                yield json.loads(raw)
            except ValueError:
                if not raw.endswith(b"\n"):
                    warnings.warn(f"{path}:{n}: incomplete last line skipped (interrupted run? use --resume)",
                                  stacklevel=3)
                    return
                raise ExportError(f"{path}:{n}: not a JSON line") from None


def _common(rec: dict[str, Any]) -> dict[str, Any]:
    meta, src = rec.get("meta") or {}, rec.get("source") or {}
    return {"doc_id": rec.get("doc_id"), "title": meta.get("title"), "published": meta.get("published"),
            "source_path": src.get("path"), "source_record": src.get("record")}


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in ("start", "end", "sentence_start", "sentence_end", "source_record"):
        if col in df:
            df[col] = df[col].astype("Int64")
    return df


def load(directory: os.PathLike | str, table: str = "indicators") -> pd.DataFrame:
    """The indicators (``table="entities"``: the entities) of an ``extract`` output directory."""
    if table == "entities":
        return load_entities(directory)
    if table != "indicators":
        raise ValueError(f"table must be 'indicators' or 'entities', not {table!r}")
    rows = []
    for rec in _records(directory):
        common = _common(rec)
        for ind in rec.get("indicators") or []:
            sent = ind.get("sentence") or {}
            row = {**common, **{k: ind.get(k) for k in INDICATOR_COLUMNS if k in ind}}
            row["sentence_start"], row["sentence_end"] = sent.get("start"), sent.get("end")
            rows.append(row)
    return _frame(rows, INDICATOR_COLUMNS)


def load_entities(directory: os.PathLike | str) -> pd.DataFrame:
    rows = []
    for rec in _records(directory):
        common = _common(rec)
        for ent in rec.get("entities") or []:
            rows.append({**common, **{k: ent.get(k) for k in ENTITY_COLUMNS if k in ent}})
    return _frame(rows, ENTITY_COLUMNS)


def export(directory: os.PathLike | str, fmt: str, out: os.PathLike | str | None = None) -> list[Path]:
    """Write the indicator and entity tables of ``directory`` as ``fmt``; returns the files written."""
    ind, ent = load(directory), load_entities(directory)
    dest = Path(out) if out is not None else (Path(directory) if Path(directory).is_dir() else Path(directory).parent)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            files = [dest / "indicators.csv", dest / "entities.csv"]
            ind.to_csv(files[0], index=False, encoding="utf-8-sig")
            ent.to_csv(files[1], index=False, encoding="utf-8-sig")
        elif fmt == "parquet":
            files = [dest / "indicators.parquet", dest / "entities.parquet"]
            ind.to_parquet(files[0], index=False)
            ent.to_parquet(files[1], index=False)
        elif fmt == "xlsx":
            try:
                import openpyxl  # noqa: F401
            except ImportError:
                raise ExportError("xlsx needs openpyxl: pip install 'cnie[xlsx]' (or use --format csv)") from None
            if max(len(ind), len(ent)) > XLSX_MAX_ROWS:
                raise ExportError(f"too many rows for a spreadsheet ({max(len(ind), len(ent)):,} > {XLSX_MAX_ROWS:,}); "
                                  "use --format parquet or csv")
            files = [dest / "cnie.xlsx"]
            with pd.ExcelWriter(files[0], engine="openpyxl") as xw:
                ind.to_excel(xw, sheet_name="indicators", index=False)
                ent.to_excel(xw, sheet_name="entities", index=False)
        else:
            raise ExportError(f"unknown format {fmt!r}")
    except OSError as e:
        raise ExportError(f"{dest}: cannot write: {e.strerror or e}") from None
    return files


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="write the indicators and entities of an extract run as tables",
                              description="Indicators and entities of a cnie extract output directory as "
                                          "CSV, Parquet or Excel tables (one row per indicator / entity).")
    p.add_argument("directory", metavar="DIR", help="output directory of cnie extract")
    p.add_argument("--format", "-f", choices=["csv", "parquet", "xlsx"], default="csv", help="table format (csv)")
    p.add_argument("--out", "-o", metavar="OUTDIR", help="where to write the tables (default: DIR)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            files = export(args.directory, args.format, args.out)
        for w in caught:
            print(f"cnie export: warning: {w.message}", file=sys.stderr)
    except ExportError as e:
        print(f"cnie export: error: {e}", file=sys.stderr)
        return 2
    for f in files:
        print(f)
    return 0
