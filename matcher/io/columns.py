"""Which input column is which declared column: names as people write them.

A header cell names a declared column when its :func:`~matcher.io.schema.column_key` equals the
key of the column's name or of one of its aliases (``Maks timer``, ``maks_timer`` and
``MAKS-TIMER`` all mean ``hours_max`` in a seekers file). Then:

- two header cells that mean the same column are an error naming both;
- a header cell *close* to a known name but not one of them (``hours_mx``, ``Hours_maks``) is an
  error that names the known one: silently dropping it would drop a hard constraint or a whole
  work history;
- every other column is ignored, and its name (never its values) is listed once, so the
  caseworker sees what was left out.

"Close" is an edit distance on the keys (:mod:`rapidfuzz`): at most 1 for names of 5 or 6
characters, at most 2 from 7 characters, never for names of 4 characters or fewer (``lønn`` is
not ``long``). That is
calibrated so that the columns a caseworker's export usually carries besides ours (``navn``,
``fodselsnummer``, ``kommune``, ``notat``, ``telefon``, ``epost``, ``kontor``, ``veileder``,
``adresse``, ``stillingsbeskrivelse``, ...) are ignored, not flagged; the test suite holds that
list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from matcher.errors import Problem
from matcher.io.schema import RULE_NEAR_MISS, RULE_SAME_FIELD, Schema, column_key

__all__ = ["ColumnMatch", "match_columns", "near_miss_distance"]


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """How a table's header maps onto a schema.

    Attributes
    ----------
    fields : dict of str to str
        Header cell as written -> declared column name, for every header cell that names one.
    ignored : tuple of str
        Header cells that name no declared column, in the file's order.
    problems : list of Problem
        Two cells meaning one column, and near misses.
    """

    fields: dict[str, str]
    ignored: tuple[str, ...]
    problems: list[Problem]


def near_miss_distance(known_key: str) -> int:
    """The largest edit distance at which a header is taken for a misspelling of ``known_key``."""
    if len(known_key) <= 4:
        return 0
    return 1 if len(known_key) <= 6 else 2


def match_columns(header: Sequence[str], schema: Schema, name: str) -> ColumnMatch:
    """Map a header onto ``schema``.

    Examples
    --------
    >>> from matcher.io.schema import SEEKER_SCHEMA
    >>> m = match_columns(["Person-ID", "Erfaring", "navn", "Hours_maks"], SEEKER_SCHEMA, "s.csv")
    >>> m.fields, m.ignored
    ({'Person-ID': 'seeker_id', 'Erfaring': 'experience'}, ('navn',))
    >>> print(m.problems[0])
    s.csv column 'Hours_maks': is not a known column; did you mean 'hours_max'?
    """
    lookup: dict[str, tuple[str, str]] = {}  # key -> (name as declared, column)
    for column in schema.columns:
        for written in (column.name, *column.aliases):
            lookup.setdefault(column_key(written), (written, column.name))
    fields: dict[str, str] = {}
    first_of: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for cell in header:
        key = column_key(cell)
        if key in lookup:
            field = lookup[key][1]
            if field in first_of:
                rule = RULE_SAME_FIELD.format(other=first_of[field], field=field)
                problems.append(Problem(file=name, line=None, column=cell, rule=rule,
                                        code="same_field",
                                        params=(("other", first_of[field]), ("field", field))))
                continue
            first_of[field] = cell
            fields[cell] = field
            continue
        close = _closest(key, lookup)
        if close is None:
            ignored.append(cell)
            continue
        written, field = close
        known = f"'{field}'" if written == field else f"'{written}' (that is '{field}')"
        problems.append(
            Problem(file=name, line=None, column=cell, rule=RULE_NEAR_MISS.format(known=known),
                    code="near_miss", params=(("written", written), ("field", field)))
        )
    return ColumnMatch(fields=fields, ignored=tuple(ignored), problems=problems)


def _closest(key: str, lookup: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    if not key:
        return None
    best: tuple[int, str] | None = None
    for known in lookup:
        limit = near_miss_distance(known)
        if limit == 0:
            continue
        distance = Levenshtein.distance(key, known, score_cutoff=limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, known)
    return None if best is None else lookup[best[1]]
