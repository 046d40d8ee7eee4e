"""Resolve stage: every term in the validated seekers and roles becomes a concept.

Occupation and skill terms go to the taxonomy (ESCO URI, STYRK-08/ISCO-08 code, or a label in
English, Norwegian or Danish, tolerant of inflection and typos); adaptation terms go to the
small adaptations vocabulary. Nothing is dropped silently: a term that resolves to nothing is a
warning naming the file, line, column and term with the closest concepts, and in strict mode the
warnings become one :class:`~matcher.errors.UnresolvedTermError`. A term matched only by spelling
is reported, so a caseworker can check it; below the resolver's calibrated confidence such a
guess is not taken at all, and the warning lists it and the next closest concepts.

Each distinct term is resolved once per column kind: a caseload repeats the same few hundred
terms many times.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from matcher.errors import Problem, UnresolvedTermError
from matcher.io.schema import joined_parts
from matcher.taxonomy import Resolution, Taxonomy
from matcher.taxonomy.adaptations import AdaptationMatch, resolve_adaptation
from matcher.taxonomy.resolve import SPELLING_METHODS as _SPELLING_METHODS

__all__ = ["ROLE_TERMS", "SEEKER_TERMS", "UNRESOLVED_CODES", "ResolvedTerms", "resolve_terms"]

Kind = Literal["occupation", "skill", "adaptation"]

#: which column of each input holds which kind of term
SEEKER_TERMS: Mapping[str, Kind] = {
    "experience": "occupation",
    "skills": "skill",
    "wishes": "occupation",
    "needs": "adaptation",
}
ROLE_TERMS: Mapping[str, Kind] = {
    "occupation": "occupation",
    "skills_required": "skill",
    "skills_trained": "skill",
    "offers": "adaptation",
}

#: methods that find a concept by spelling alone; below
#: :data:`matcher.taxonomy.resolve.SPELLING_MIN_CONFIDENCE` their answer is not taken
SPELLING_METHODS = _SPELLING_METHODS
#: a spelling-only match below this confidence is reported for a caseworker to check
FUZZY_REPORT_BELOW = 0.95
#: a label shared by several concepts resolves with lowered confidence; below this it is reported
AMBIGUOUS_BELOW = 0.8

UNRESOLVED_CODES = ("term_missed", "term_guess")
"""The codes of a term not taken: resolved to nothing, or only guessed by spelling."""


@dataclass(frozen=True)
class ResolvedTerms:
    """The concepts of one input, per column and row (rows in the frame's order).

    ``concepts[column][row]`` lists the distinct resolved concepts of that cell in the order
    written: :class:`~matcher.taxonomy.Resolution` for occupations and skills,
    :class:`~matcher.taxonomy.adaptations.AdaptationMatch` for adaptations.
    ``unresolved[column][row]`` lists the terms of that cell that resolved to nothing (with
    their suggestions), so a reason can name them. ``resolutions[column][term]`` and
    ``adaptation_matches[column][term]`` hold the answer for each distinct term.
    """

    concepts: dict[str, list[list[Resolution]]]
    adaptations: dict[str, list[list[AdaptationMatch]]]
    warnings: list[Problem]
    unresolved: dict[str, list[list[Resolution]]] = field(default_factory=dict)
    #: per column, each distinct term with what it resolved to (taken or not), so a caller that
    #: shows every term (the role posting service) never resolves one again
    resolutions: dict[str, dict[str, Resolution]] = field(default_factory=dict)
    #: per adaptation column, each distinct term with its match
    adaptation_matches: dict[str, dict[str, AdaptationMatch]] = field(default_factory=dict)

    def count_unresolved(self) -> int:
        return sum(1 for w in self.warnings if w.code in UNRESOLVED_CODES)


def _cells(frame: pl.DataFrame, column: str) -> list[list[str]]:
    if column not in frame.columns:
        return [[] for _ in range(frame.height)]
    series = frame.get_column(column)
    if series.dtype == pl.String:
        return [[v] if v else [] for v in series.to_list()]
    return [list(v) if v is not None else [] for v in series.to_list()]


def _quoted(items: tuple[str, ...]) -> str:
    return ", ".join(repr(s) for s in items)


def _and(items: tuple[str, ...]) -> str:
    """``'a', 'b' and 'c'``."""
    quoted = [repr(s) for s in items]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


#: a warning's rule, its code and what it was written from (see :class:`Problem`)
_Rule = tuple[str, str, tuple[tuple[str, object], ...]]


def _fate(res: Resolution, kind: Kind) -> tuple[str, list[_Rule]]:
    """What becomes of a resolved term, and the warnings it gets (the same for every cell it
    is written in): ``'taken'``, ``'guess'`` (a guess by spelling alone, below the calibrated
    confidence: not taken, and named among the unrecognised terms with its suggestions) or
    ``'missed'``. Each warning carries the URIs it names, so that it can be written again in
    the reasons' language."""
    near = (("kind", kind), ("uris", tuple(res.candidates)), ("names", tuple(res.suggestions)))
    if not res.indices and res.method in SPELLING_METHODS and res.suggestions:
        return "guess", [(
            f"unresolved {kind} term: only a guess by spelling (closest: "
            f"{_quoted(res.suggestions[:3])}); write one of these"
            + (" or a STYRK-08 code" if kind == "occupation" else "") + " to use it",
            "term_guess", near)]
    if not res.indices:
        hint = f" (closest: {_quoted(res.suggestions)})" if res.suggestions else ""
        return "missed", [(f"unresolved {kind} term{hint}", "term_missed", near)]
    rules: list[_Rule] = []
    others = [x for x in res.suggestions if x != res.label][:3]
    taken = (("kind", kind), ("uri", res.uri), ("label", res.label))
    if res.method not in SPELLING_METHODS and res.confidence < AMBIGUOUS_BELOW and others:
        rules.append((f"ambiguous {kind} term, took {res.label!r} "
                      f"(also: {_quoted(tuple(others))}); write the ESCO URI or a more "
                      "specific label to choose", "term_ambiguous",
                      (*taken, ("uris", tuple(u for u in res.candidates if u != res.uri)),
                       ("names", tuple(others)))))
    if res.method in SPELLING_METHODS and res.confidence < FUZZY_REPORT_BELOW:
        rules.append((f"matched by spelling only to {res.label!r} "
                      f"(confidence {res.confidence:.2f}); check it", "term_spelling",
                      (*taken, ("confidence", res.confidence))))
    return "taken", rules


def _comma_lists(resolved: dict[str, Resolution], fates: dict[str, tuple[str, list[_Rule]]],
                 taxonomy: Taxonomy, kind: Literal["occupation", "skill"]
                 ) -> dict[str, tuple[str, ...]]:
    """Terms written as a list with commas (``kokk, servitør``), where ``;`` was meant: those
    that are no label as a whole (not taken, or only by spelling) while every part is one
    (taken, not by spelling). A label with a comma (``renholder, privathjem``) stays whole.
    Adds the parts to ``resolved`` and ``fates``; returns each such term's parts."""
    candidates = {term: tuple(p.strip() for p in term.split(",") if p.strip())
                  for term, res in resolved.items()
                  if "," in term and (fates[term][0] != "taken" or res.method in SPELLING_METHODS)}
    candidates = {term: parts for term, parts in candidates.items() if len(parts) > 1}
    new = sorted({p for parts in candidates.values() for p in parts} - set(resolved))
    parts_resolved = dict(zip(new, taxonomy.resolve_many(new, kind), strict=True)) if new else {}
    lookup = {**resolved, **parts_resolved}

    def plain(part: str) -> bool:  # a label, code or inflection: not a guess by spelling
        return bool(lookup[part].indices) and lookup[part].method not in SPELLING_METHODS

    split = {term: parts for term, parts in candidates.items() if all(map(plain, parts))}
    for part in {p for parts in split.values() for p in parts} - set(resolved):
        resolved[part] = lookup[part]
        fates[part] = _fate(lookup[part], kind)
    return split


def _adaptation_terms(cell: list[str], cache: dict[str, AdaptationMatch]) -> list[str]:
    """The adaptations a cell lists: an item that joins known ones (``deltid/fleksibel
    arbeidstid``, ``rullestoltilgang, stille arbeidsplass``) is each of them; read whole it
    would be one unknown adaptation that no role states, and the person would be kept from
    roles that offer both."""
    def known(term: str) -> bool:
        if term not in cache:
            cache[term] = resolve_adaptation(term)
        return cache[term].known

    out: list[str] = []
    for term in cell:
        parts = [] if known(term) else joined_parts(term)
        if len(parts) > 1 and all(map(known, parts)):
            out += parts
        else:
            out.append(term)
    return out


def _adaptation_column(
    cells: list[list[str]], rows: list[int], name: str, column: str, warnings: list[Problem],
) -> tuple[list[list[AdaptationMatch]], dict[str, AdaptationMatch]]:
    """The adaptations of one column, each distinct term resolved once; an unknown one is
    kept as written, with a warning."""
    cache: dict[str, AdaptationMatch] = {}
    out: list[list[AdaptationMatch]] = []
    for row, cell in zip(rows, cells, strict=True):
        found: dict[str, AdaptationMatch] = {}
        for term in _adaptation_terms(cell, cache):
            match = cache.get(term)
            if match is None:
                match = cache[term] = resolve_adaptation(term)
            if not match.known:
                warnings.append(Problem(
                    name, row, column,
                    "unknown adaptation, kept as written (closest known: "
                    f"{_quoted(match.suggestions)})",
                    term, level="warning", code="adaptation_unknown",
                    params=(("keys", match.suggested_keys),),
                ))
            found.setdefault(match.key, match)
        out.append(list(found.values()))
    return out, cache


def resolve_terms(
    frame: pl.DataFrame,
    *,
    name: str,
    columns: Mapping[str, Kind],
    taxonomy: Taxonomy,
    strict: bool = False,
) -> ResolvedTerms:
    """Resolve the term columns of a validated frame.

    Parameters
    ----------
    frame : polars.DataFrame
        A frame returned by :func:`matcher.io.validate_seekers` or ``validate_roles``
        (it carries each row's line number in ``_row``).
    name : str
        The file name used in messages.
    columns : mapping of column name to kind
        :data:`SEEKER_TERMS` or :data:`ROLE_TERMS`.
    taxonomy : Taxonomy
    strict : bool
        Raise :class:`~matcher.errors.UnresolvedTermError` instead of returning warnings.
    """
    rows = frame.get_column("_row").to_list() if "_row" in frame.columns else list(
        range(1, frame.height + 1)
    )
    concepts: dict[str, list[list[Resolution]]] = {}
    adaptations: dict[str, list[list[AdaptationMatch]]] = {}
    warnings: list[Problem] = []
    not_found: dict[str, list[list[Resolution]]] = {}
    resolutions: dict[str, dict[str, Resolution]] = {}
    adaptation_matches: dict[str, dict[str, AdaptationMatch]] = {}

    for column, kind in columns.items():
        cells = _cells(frame, column)
        if kind == "adaptation":
            adaptations[column], adaptation_matches[column] = _adaptation_column(
                cells, rows, name, column, warnings)
            continue
        distinct = sorted({t for cell in cells for t in cell})
        resolved = dict(zip(distinct, taxonomy.resolve_many(distinct, kind), strict=True))
        fates = {term: _fate(res, kind) for term, res in resolved.items()}
        split = _comma_lists(resolved, fates, taxonomy, kind)
        resolutions[column] = resolved
        out: list[list[Resolution]] = []
        missed: list[list[Resolution]] = not_found.setdefault(column, [])
        for row, cell in zip(rows, cells, strict=True):
            seen: dict[str, Resolution] = {}
            missed.append([])
            for written in cell:
                if written in split:
                    parts = split[written]
                    warnings.append(Problem(
                        name, row, column, f"read as {_and(parts)} separately; separate "
                        "several terms with ';'", written, level="warning", code="term_split",
                        params=(("parts", parts),)))
                else:
                    parts = (written,)
                for term in parts:
                    res = resolved[term]
                    fate, rules = fates[term]
                    warnings += [Problem(name, row, column, rule, term, level="warning",
                                         code=code, params=params)
                                 for rule, code, params in rules]
                    if fate in ("missed", "guess"):
                        missed[-1].append(res)
                    elif fate == "taken":
                        seen.setdefault(res.uri or term, res)
            out.append(list(seen.values()))
        concepts[column] = out

    if strict:
        unresolved = [dataclasses.replace(w, level="error") for w in warnings
                      if w.code in (*UNRESOLVED_CODES, "adaptation_unknown")]
        if unresolved:
            raise UnresolvedTermError(unresolved)
    return ResolvedTerms(concepts=concepts, adaptations=adaptations, warnings=warnings,
                         unresolved=not_found, resolutions=resolutions,
                         adaptation_matches=adaptation_matches)
