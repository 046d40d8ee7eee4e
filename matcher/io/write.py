"""Write result tables and JSON documents atomically.

A result file is either complete or absent: the data goes to a temporary file in the target's
folder, is flushed to disk (``fsync``) and then renamed over the target with :func:`os.replace`,
which is atomic on one file system. On any failure the temporary file is removed and an
:class:`~matcher.errors.OutputError` naming the path is raised; an existing target is left as it
was.

:func:`write_table` picks the format by extension: ``.csv`` (list columns joined with ``;``,
floats in shortest round-trip form), ``.xlsx`` (one sheet), ``.parquet``, ``.json`` (an array
of objects) or ``.jsonl`` / ``.ndjson`` (one object a line). :func:`write_workbook` writes
several frames as the sheets of one ``.xlsx`` workbook.

Excel sheets are written to be read without touching them: a bold header row that stays in view,
a filter on every column, column widths fitted to the content, and long text (a ``reason``)
wrapped in a wide column. Numbers keep their full precision (Excel shows 3 decimals); list
columns are joined with ``;`` as in CSV.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from matcher.errors import OutputError
from matcher.io.schema import LIST_SEPARATOR

__all__ = [
    "WRITE_EXTENSIONS",
    "atomic_file",
    "atomic_files",
    "write_json",
    "write_outputs",
    "write_table",
    "write_workbook",
]

PathLike = str | os.PathLike[str]

WRITE_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".parquet", ".json", ".jsonl", ".ndjson")
#: text columns wider than this (in characters) wrap at this width
WRAP_CHARACTERS = 80


def write_table(frame: pl.DataFrame, path: PathLike) -> Path:
    """Write a frame to ``path`` atomically, in the format its extension names.

    Parameters
    ----------
    frame : polars.DataFrame
    path : str or os.PathLike
        Ends in ``.csv``, ``.xlsx``, ``.parquet``, ``.json``, ``.jsonl`` or ``.ndjson`` (any
        case). The folder must exist.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        The extension is unknown (nothing is written), or writing failed (nothing is left
        behind).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> frame = pl.DataFrame({"role_id": ["r1"], "offers": [["quiet workplace", "ramp"]]})
    >>> print(write_table(frame, folder / "roles.csv").read_text(), end="")
    role_id,offers
    r1,quiet workplace;ramp
    """
    target = Path(path)
    writer = _table_writer(target)
    with atomic_file(target) as temporary:
        writer(frame, temporary)
    return target


def _table_writer(target: Path) -> Callable[[pl.DataFrame, Path], None]:
    writer = _TABLE_WRITERS.get(target.suffix.lower())
    if writer is None:
        raise OutputError(
            f"cannot write '{target}': the extension must be one of {', '.join(WRITE_EXTENSIONS)}"
        )
    return writer


def write_workbook(sheets: dict[str, pl.DataFrame], path: PathLike) -> Path:
    """Write frames as the sheets of one ``.xlsx`` workbook, atomically, in the given order.

    Raises
    ------
    OutputError
        ``path`` does not end in ``.xlsx``, a sheet name is not allowed by Excel (empty, over
        31 characters, or with one of ``[]:*?/\\``), or writing failed (nothing is left
        behind).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> frame = pl.DataFrame({"seeker_id": ["S1"], "reason": ["has agronomy experience"]})
    >>> path = write_workbook({"matches": frame}, folder / "matches.xlsx")
    >>> pl.read_excel(path, sheet_name="matches").rows()
    [('S1', 'has agronomy experience')]
    """
    target = Path(path)
    _check_workbook(target, sheets)
    with atomic_file(target) as temporary:
        _write_sheets(sheets, temporary)
    return target


def _check_workbook(target: Path, sheets: Mapping[str, pl.DataFrame]) -> None:
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"cannot write '{target}': a workbook must end in .xlsx")
    for sheet in sheets:
        if not sheet or len(sheet) > 31 or any(c in sheet for c in "[]:*?/\\"):
            raise OutputError(f"cannot write '{target}': {sheet!r} is not a valid sheet name")


def write_json(obj: Any, path: PathLike) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically.

    Keys sorted, indent 2, non-ASCII kept as it is, a trailing newline. NaN and infinity are not
    JSON and are refused; numpy scalars and arrays and paths are written as numbers, lists and
    text.

    Raises
    ------
    OutputError
        ``obj`` cannot be written as JSON (nothing is written), or writing failed (nothing is left
        behind).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> print(write_json({"b": 1, "a": "ø"}, folder / "m.json").read_text(), end="")
    {
      "a": "ø",
      "b": 1
    }
    """
    target = Path(path)
    data = _json_bytes(obj, target)
    with atomic_file(target) as temporary, open(temporary, "wb") as handle:
        handle.write(data)
    return target


def _json_bytes(obj: Any, target: Path) -> bytes:
    try:
        text = json.dumps(
            obj,
            sort_keys=True,
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
            default=_json_default,
        )
    except (TypeError, ValueError) as exc:
        raise OutputError(f"cannot write '{target}': {exc}") from exc
    return (text + "\n").encode("utf-8")


def write_outputs(plan: Sequence[tuple[PathLike, Any]]) -> list[Path]:
    """Write several outputs all or nothing: every file is complete on disk before the first
    one is moved into place, and on any failure none is.

    Each ``(path, payload)``: a frame is written as a table by the path's extension; a mapping
    of sheet names to frames, to an ``.xlsx`` path, as a workbook; anything else as a JSON
    document (:func:`write_json`).

    Raises
    ------
    OutputError
        Two outputs share a path, a folder is missing, a payload cannot be written; nothing
        new is left behind.
    """
    targets = [Path(path) for path, _ in plan]
    if len({os.path.abspath(t) for t in targets}) != len(targets):
        raise OutputError(f"output paths must differ, got {[str(t) for t in targets]}")
    for target in targets:
        if not target.parent.is_dir():
            raise OutputError(f"{target}: folder {str(target.parent)!r} does not exist")
    with atomic_files(targets) as temporaries:
        for (target, (_, payload)), temporary in zip(zip(targets, plan, strict=True),
                                                     temporaries, strict=True):
            if isinstance(payload, pl.DataFrame):
                _table_writer(target)(payload, temporary)
            elif isinstance(payload, Mapping) and target.suffix.lower() == ".xlsx":
                _check_workbook(target, payload)
                _write_sheets(payload, temporary)
            else:
                temporary.write_bytes(_json_bytes(payload, target))
    return targets


def _json_default(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        return tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    lists = [
        pl.col(name).list.eval(pl.element().cast(pl.String())).list.join(LIST_SEPARATOR)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    ]
    (frame.with_columns(lists) if lists else frame).write_csv(path)


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    _write_sheets({"Sheet1": frame}, path)


def _write_sheets(sheets: Mapping[str, pl.DataFrame], path: Path) -> None:
    import xlsxwriter  # the engine of polars' write_excel, needed only here

    workbook = xlsxwriter.Workbook(path)
    try:
        for sheet, frame in sheets.items():
            flat = _flat(frame)
            widths, wrapped = _widths(flat)
            flat.write_excel(
                workbook, sheet, autofilter=True, freeze_panes=(1, 0), column_widths=widths,
                column_formats={c: {"text_wrap": True, "valign": "top"} for c in wrapped},
                header_format={"bold": True}, table_style=None,
            )
    finally:
        workbook.close()


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    lists = [
        pl.col(name).list.eval(pl.element().cast(pl.String())).list.join(LIST_SEPARATOR)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    ]
    return frame.with_columns(lists) if lists else frame


def _widths(frame: pl.DataFrame) -> tuple[dict[str | Any, tuple[str, ...] | int], list[str]]:
    """Column widths in pixels (about 7 a character) and the columns to wrap."""
    widths: dict[str | Any, tuple[str, ...] | int] = {}
    wrapped: list[str] = []
    lengths = frame.select(
        pl.col(name).cast(pl.String).str.len_chars().max().fill_null(0).alias(name)
        for name in frame.columns
    ).row(0) if frame.height else (0,) * frame.width
    for (name, dtype), length in zip(frame.schema.items(), lengths, strict=True):
        # floats show 3 decimals, whatever their full precision
        longest = max(len(name), 8) if dtype.is_float() else max(len(name), int(length))
        if longest > WRAP_CHARACTERS:
            wrapped.append(name)
            longest = WRAP_CHARACTERS
        widths[name] = 7 * (longest + 2)
    return widths, wrapped


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path)


def _write_json_rows(frame: pl.DataFrame, path: Path) -> None:
    frame.write_json(path)


def _write_ndjson(frame: pl.DataFrame, path: Path) -> None:
    frame.write_ndjson(path)


_TABLE_WRITERS: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
    ".parquet": _write_parquet,
    ".json": _write_json_rows,
    ".jsonl": _write_ndjson,
    ".ndjson": _write_ndjson,
}


@contextlib.contextmanager
def atomic_files(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield a temporary path beside each target; when the block ends without an error, fsync
    them all and move each into place (a rename is atomic on one file system). On an error, or
    if the block is left by an exception, the temporary files are removed and no target is
    touched. A new file gets the usual mode (``0o666`` less the umask); an existing one keeps
    its own.

    The one place in the package that writes a file atomically: every output goes through it.
    """
    temporaries: list[Path] = []
    try:
        for target in targets:
            try:
                fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                            suffix=".tmp")
                os.close(fd)
            except OSError as exc:
                raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from exc
            temporaries.append(Path(name))
        yield list(temporaries)
        for temporary, target in zip(temporaries, targets, strict=True):
            os.chmod(temporary, _file_mode(target))
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
        for temporary, target in zip(temporaries, targets, strict=True):
            os.replace(temporary, target)
        for folder in {t.parent for t in targets}:
            _fsync_folder(folder)
    except BaseException as exc:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                temporary.unlink()
        locked = next((t for t in targets if isinstance(exc, PermissionError)
                       and str(t) in (exc.filename2, exc.filename)), None)
        if locked is not None:  # a target that cannot be replaced: on Windows, open in Excel
            raise OutputError(f"cannot write '{locked}': it is open in another program (Excel?) "
                              "or read-only; close it and run again", code="output_locked",
                              params=(("file", str(locked)),)) from exc
        if isinstance(exc, Exception) and not isinstance(exc, OutputError):
            where = ", ".join(f"'{t}'" for t in targets)
            raise OutputError(f"cannot write {where}: {exc}") from exc
        raise


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """:func:`atomic_files` for one file: yield a temporary path that becomes ``target``."""
    with atomic_files([target]) as (temporary,):
        yield temporary


def _file_mode(target: Path) -> int:
    """Keep an existing file's mode; a new file gets the usual ``0o666`` less the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
