"""Exceptions and the problem record that every error and warning is made of.

The tree::

    MatcherError
    ├── ConfigError            (ValueError)  a setting is out of range; raised before any work
    ├── InputError             (ValueError)  one or more problems in an input file
    │   └── UnresolvedTermError               a term matched no taxonomy concept (``strict``)
    ├── TaxonomyError          (ValueError)  a taxonomy download or snapshot is unusable
    └── OutputError            (OSError)     an output could not be written

Every input problem is a :class:`Problem`: the file, the line as a spreadsheet shows it (the
header is line 1, so the first data row is line 2), the column, the rule that was broken and the
value received. ``str(problem)`` is the sentence a caseworker reads::

    roles.csv line 18, column 'slots': must be an integer >= 0, got '-2'

For JSON and NDJSON files, which have no header row, line N is the N-th record.

For a run in Norwegian or Danish the problems are written again in that language (``lang``, set
by :func:`matcher.io.messages.localise_problems` and, for terms, by
:func:`matcher.explain.localise_warnings`, from their ``code`` and ``params``)::

    «-2» i roles.csv linje 18, kolonne «slots»: må være et helt tall, 0 eller mer
    «sjåfør» i seekers.xlsx linje 4, kolonne «Erfaring»: yrket ble ikke sikkert gjenkjent, ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ConfigError",
    "InputError",
    "MatcherError",
    "OutputError",
    "Problem",
    "TaxonomyError",
    "UnresolvedTermError",
    "quotes",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or doubtful) in an input.

    Attributes
    ----------
    file : str
        The file name as the user gave it (or a frame's name, e.g. ``'seekers'``).
    line : int or None
        The line as a spreadsheet shows it: the header is line 1, the first data row line 2
        (CSV, Excel, Parquet and frames). For JSON and NDJSON, the 1-based record number.
        ``None`` when the problem concerns the whole file.
    column : str or None
        The column concerned; ``None`` when the problem concerns a whole row or file.
    rule : str
        What the value must be, phrased to follow "must" or to stand alone.
    value : str or None
        The value received, verbatim; ``None`` where there is no single value.
    level : {'error', 'warning'}
    code : str or None
        What kind of problem it is, so that it can be written in another language
        (``'missing_column'``, ``'value'``, ``'term_missed'``, ``'encoding'``, ...); not
        compared.
    params : tuple of (str, object) pairs
        What the rule was written from (URIs, a confidence), so it can be written again in
        another language; not compared.
    lang : {'en', 'nb', 'da'}
        The language of ``rule`` and of ``str(problem)``; not compared.
    """

    file: str
    line: int | None
    column: str | None
    rule: str
    value: str | None = None
    level: Literal["error", "warning"] = "error"
    code: str | None = field(default=None, compare=False)
    params: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    lang: str = field(default="en", compare=False)

    def __str__(self) -> str:
        line, column, quotes, at = _FRAME.get(self.lang, _FRAME["en"])
        where = self.file
        if self.line is not None:
            where += f" {line} {self.line}"
        if self.column is not None:
            sep = f", {column}" if self.line is not None else f" {column}"
            where += f"{sep} {quotes[0]}{self.column}{quotes[1]}"
        if self.lang != "en" and self.value is not None:
            return f"{quotes[0]}{self.value}{quotes[1]} {at} {where}: {self.rule}"
        text = f"{where}: {self.rule}"
        if self.value is not None:
            text += f", got {self.value!r}"
        return text

    def param(self, name: str, default: Any = None) -> Any:
        """One of ``params`` by name."""
        return next((v for k, v in self.params if k == name), default)

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line if self.line is not None else -1, self.column or "", self.rule)


#: the words around a problem, by language: line, column, the quotes, and "in" before the
#: place when the value comes first (Norwegian and Danish)
_FRAME = {"en": ("line", "column", ("'", "'"), "in"),
          "nb": ("linje", "kolonne", ("«", "»"), "i"),
          "da": ("linje", "kolonne", ("»", "«"), "i")}
#: the first line of an error with several problems, by language
_MANY = {"en": "{n} problems in the input:",
         "nb": "{n} problemer i filene:",
         "da": "{n} problemer i filerne:"}


def quotes(lang: str) -> tuple[str, str]:
    """The quotation marks of ``lang``: ``'...'``, ``«...»`` (bokmål), ``»...«`` (Danish)."""
    return _FRAME.get(lang, _FRAME["en"])[2]


class MatcherError(Exception):
    """Base class of every error the package raises on purpose."""


class ConfigError(MatcherError, ValueError):
    """A setting is invalid. Raised by the settings record, before any work starts."""


class InputError(MatcherError, ValueError):
    """An input file (or frame) has one or more problems; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="input", line=None, column=None, rule=problems)]
        self.problems: list[Problem] = sorted(problems, key=Problem.sort_key)
        super().__init__(self._message(self.problems))

    @staticmethod
    def _message(problems: Sequence[Problem]) -> str:
        if len(problems) == 1:
            return str(problems[0])
        lang = problems[0].lang if problems else "en"
        lines = [_MANY.get(lang, _MANY["en"]).format(n=len(problems))]
        lines += [f"  {p}" for p in problems]
        return "\n".join(lines)


class UnresolvedTermError(InputError):
    """Terms that match no taxonomy concept, raised instead of warnings in strict mode."""


class TaxonomyError(MatcherError, ValueError):
    """A taxonomy source (official download, snapshot, crosswalk) cannot be used."""


class OutputError(MatcherError, OSError):
    """An output file cannot be written. Nothing half-written is left behind.

    ``code`` and ``params`` say what kind of failure it is, where the message can be written
    again in another language (``'output_locked'``: the file is open in another program).
    """

    def __init__(self, message: str, *, code: str | None = None,
                 params: tuple[tuple[str, Any], ...] = ()) -> None:
        super().__init__(message)
        self.code, self.params = code, params
