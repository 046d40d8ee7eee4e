"""CSV as spreadsheets save it: the encoding and the delimiter, found from the file itself.

Norwegian and Danish Excel save "CSV" with ``;`` between cells (the comma is their decimal
mark), often in Windows-1252, sometimes with a byte-order mark; other tools write ``,`` or tab.

- :func:`decode` reads UTF-8 (with or without a BOM) and UTF-16 with a BOM (Excel's "Unicode
  text"); bytes that are not UTF-8 are read as Windows-1252, and the caller warns which encoding
  was used.
- :func:`sniff_delimiter` picks ``,``, ``;`` or tab from the header and the first records,
  parsed with quotes as a CSV reader parses them. The header decides first: the delimiter
  under which most header cells are known column names wins. Only the header is used for that
  because list cells hold ``;`` (``cook;baker``) in a comma-separated file, while column names
  never do. Where no header cell is known, the delimiter that splits the header into the most
  cells, with the same count on the data lines, wins. Excel's ``sep=;`` first line is honoured.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator

__all__ = [
    "DELIMITERS",
    "SAMPLE_RECORDS",
    "decode",
    "excel_separator_line",
    "first_ragged_record",
    "sniff_delimiter",
]

DELIMITERS: tuple[str, ...] = (",", ";", "\t")
#: records read (header included) to choose the delimiter
SAMPLE_RECORDS = 50
_SAMPLE_CHARS = 1 << 16


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the name of the encoding it was read in.

    Raises
    ------
    UnicodeDecodeError
        The bytes are neither UTF-8 (nor UTF-16 with a BOM) nor Windows-1252.

    Examples
    --------
    >>> decode("æøå".encode("utf-8-sig")), decode("æøå".encode("cp1252"))
    (('æøå', 'UTF-8'), ('æøå', 'Windows-1252'))
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "Windows-1252"


def excel_separator_line(text: str) -> str | None:
    """The delimiter named by Excel's ``sep=;`` first line, if the text starts with one."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep=") and first[4] in DELIMITERS:
        return first[4]
    return None


def sniff_delimiter(text: str, is_known: Callable[[str], bool]) -> str:
    """The delimiter of a CSV text: ``','``, ``';'`` or ``'\\t'``.

    Parameters
    ----------
    text : str
        The decoded file (only its start is read).
    is_known : callable
        Whether a header cell is a known column name.

    Examples
    --------
    >>> known = {"seeker_id", "skills", "hours_max"}.__contains__
    >>> sniff_delimiter("seeker_id,skills\\ns1,cook;bake\\ns2,a;b;c\\n", known)
    ','
    >>> sniff_delimiter("seeker_id;skills;hours_max\\ns1;cook, baker;37,5\\n", known)
    ';'
    >>> sniff_delimiter("a\\tb\\n1\\t2\\n", known)
    '\\t'
    """
    sample = text[:_SAMPLE_CHARS]
    truncated = len(text) > _SAMPLE_CHARS
    best: tuple[int, float, int] | None = None
    chosen = ","
    for delimiter in DELIMITERS:
        records = list(itertools.islice(_records(sample, delimiter), SAMPLE_RECORDS + 1))
        if truncated and len(records) > 1:
            records = records[:-1]  # may be cut in the middle
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        known = sum(1 for cell in records[0] if is_known(cell))
        data = [r for r in records[1:] if any(c.strip() for c in r)]
        same = sum(1 for r in data if len(r) == width) / len(data) if data else 1.0
        score = (known, same, width)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def first_ragged_record(text: str, delimiter: str) -> tuple[int, int, int] | None:
    """The first record whose cell count differs from the header's: (line, cells, header cells).

    ``line`` counts records as a spreadsheet shows them (the header is line 1). Blank lines are
    not ragged.
    """
    records = _records(text, delimiter)
    header = next(records, None)
    if header is None:
        return None
    for line, record in enumerate(records, start=2):
        if record and any(c.strip() for c in record) and len(record) != len(header):
            return line, len(record), len(header)
    return None


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                      strict=False)
