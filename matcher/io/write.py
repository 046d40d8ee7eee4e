"""Write result tables and JSON documents atomically.

A result file is either complete or absent: the data goes to a temporary file in the target's
folder, is flushed to disk (``fsync``) and then renamed over the target with :func:`os.replace`,
which is atomic on one file system. On any failure the temporary file is removed and an
:class:`~matcher.errors.OutputError` naming the path is raised; an existing target is left as it
was.

:func:`write_table` picks the format by extension: ``.csv`` (list columns joined with ``;``,
floats in shortest round-trip form), ``.parquet``, ``.json`` (an array of objects) or
``.jsonl`` / ``.ndjson`` (one object a line).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from matcher.errors import OutputError
from matcher.io.schema import LIST_SEPARATOR

__all__ = ["WRITE_EXTENSIONS", "write_json", "write_table"]

PathLike = str | os.PathLike[str]

WRITE_EXTENSIONS: tuple[str, ...] = (".csv", ".parquet", ".json", ".jsonl", ".ndjson")


def write_table(frame: pl.DataFrame, path: PathLike) -> Path:
    """Write a frame to ``path`` atomically, in the format its extension names.

    Parameters
    ----------
    frame : polars.DataFrame
    path : str or os.PathLike
        Ends in ``.csv``, ``.parquet``, ``.json``, ``.jsonl`` or ``.ndjson`` (any case). The folder
        must exist.

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
    writer = _TABLE_WRITERS.get(target.suffix.lower())
    if writer is None:
        raise OutputError(
            f"cannot write '{target}': the extension must be one of {', '.join(WRITE_EXTENSIONS)}"
        )
    with _atomic(target) as temporary:
        writer(frame, temporary)
    return target


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
    data = (text + "\n").encode("utf-8")
    with _atomic(target) as temporary, open(temporary, "wb") as handle:
        handle.write(data)
    return target


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


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path)


def _write_json_rows(frame: pl.DataFrame, path: Path) -> None:
    frame.write_json(path)


def _write_ndjson(frame: pl.DataFrame, path: Path) -> None:
    frame.write_ndjson(path)


_TABLE_WRITERS: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    ".csv": _write_csv,
    ".parquet": _write_parquet,
    ".json": _write_json_rows,
    ".jsonl": _write_ndjson,
    ".ndjson": _write_ndjson,
}


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success fsync it and move it into place."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from exc
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _file_mode(target))
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, Exception) and not isinstance(exc, OutputError):
            raise OutputError(f"cannot write '{target}': {exc}") from exc
        raise


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
