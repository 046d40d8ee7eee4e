"""A posted role: from what a client sent to a validated record, with its terms resolved.

The service checks a role exactly as ``matcher match`` checks a row of ROLES: the submitted
fields become a one-row frame of text cells and go through :func:`matcher.io.validate_roles`, so
the rules and their wording are those of :data:`matcher.io.ROLE_SCHEMA`. Each
:class:`~matcher.errors.Problem` becomes a :class:`FieldProblem` naming the field, the rule and
the value received. Only what JSON or a form adds is checked here: a value's JSON type, unknown
fields, and length limits that keep one role to a sensible size.

Terms are then resolved against the taxonomy (occupation and skills) and the adaptations
vocabulary (offers) with :func:`matcher.terms.resolve_terms`, as a batch match would: an
unresolved term is a warning with the closest concepts as suggestions, never a refusal, and
never dropped (the role keeps the term as written).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from matcher.errors import InputError, Problem
from matcher.io import ROLE_SCHEMA, validate_roles
from matcher.io.languages import iso639_1_codes
from matcher.io.schema import FALSE_WORDS, LIST_SEPARATOR, TRUE_WORDS
from matcher.service.models import INT_MAX
from matcher.taxonomy import Resolution, Taxonomy
from matcher.taxonomy.adaptations import adaptation_label
from matcher.terms import ROLE_TERMS, resolve_terms

LANGUAGE_CODES = iso639_1_codes()  # the codes the JSON API accepts

__all__ = [
    "FIELDS",
    "LIST_FIELDS",
    "READ_ONLY_FIELDS",
    "TEXT_MAX",
    "TEXT_PATTERNS",
    "FieldProblem",
    "RoleInvalid",
    "check_payload",
    "check_role",
    "describe_terms",
    "json_value",
    "to_cells",
]

#: the fields an enterprise writes, in ROLES order (``role_id`` and ``enterprise`` are the server's)
FIELDS: tuple[str, ...] = tuple(
    c.name for c in ROLE_SCHEMA.columns if c.name not in ("role_id", "enterprise")
)
LIST_FIELDS: frozenset[str] = frozenset(
    c.name for c in ROLE_SCHEMA.columns if c.kind in ("list", "languages")
)
#: fields a client may send back unchanged (from a GET) and that are ignored on write
READ_ONLY_FIELDS: frozenset[str] = frozenset(
    {"role_id", "enterprise", "status", "created_at", "updated_at", "terms", "warnings"}
)

MAX_TEXT = 200
MAX_ITEMS = 50
MESSAGE_NAME = "role"

RULE_UNKNOWN = "is not a role field (known: {known})"
RULE_JSON_TYPE_SCALAR = "must be a text, a number or a boolean"
RULE_JSON_TYPE_LIST = "must be a ';'-separated text or a list of texts"
RULE_TOO_LONG = f"must be at most {MAX_TEXT} characters"
RULE_TOO_MANY = f"must have at most {MAX_ITEMS} items"
RULE_NUL = "must not contain NUL characters"
RULE_UNICODE = "must be valid Unicode text (UTF-8)"
RULE_TEXT = "must be a text"
RULE_INT_MAX = f"must be at most {INT_MAX}"
RULE_ITEM_SEPARATOR = f"must not contain '{LIST_SEPARATOR}' inside a list item"

_COLUMNS = {c.name: c for c in ROLE_SCHEMA.columns}
_DECIMALS = r"(?:\.[0-9]+)?"


def _anycase(words: Any) -> str:
    """An alternation matching each word in any case (JSON Schema patterns have no flags)."""
    return "(?:" + "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c)
                                    for c in word) for word in words) + ")"


_CODE = "(?:" + "|".join(sorted(LANGUAGE_CODES)) + ")"
_ITEM = f"[^{LIST_SEPARATOR}\x00]*"  # the text's length bound keeps it short

#: What the JSON API accepts as *text* for a field (besides a JSON value of the field's type),
#: declared once: the service checks a JSON body against these with :func:`re.search`, and the
#: OpenAPI document publishes the same patterns, so a client (or a fuzzer) that follows the
#: document is never refused and one that does not is never accepted. The number patterns carry
#: the ROLES ranges; a form is more lenient (``matcher match``'s own rules judge its cells).
TEXT_PATTERNS: dict[str, str] = {
    "slots": "^[1-9][0-9]{0,8}$",
    # an empty text is a value not stated, as an empty cell of a CSV
    "hours": f"^(?:|168(?:\\.0+)?|(?:16[0-7]|1[0-5][0-9]|[1-9][0-9]?){_DECIMALS}"
             "|0\\.[0-9]*[1-9][0-9]*)$",
    "lat": f"^(?:|-?(?:90(?:\\.0+)?|[1-8]?[0-9]{_DECIMALS}))$",
    "lon": f"^(?:|-?(?:180(?:\\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9]){_DECIMALS}))$",
    "permanent": f"^(?:|{_anycase(TRUE_WORDS + FALSE_WORDS)})$",
    "form": f"^(?:|{_anycase(_COLUMNS['form'].allowed)})$",
    "title": "^[^\\x00]*$",
    "occupation": "^[^\\x00]*$",
    # ISO 639-1 codes in lower case, as the document lists them; none: an empty text
    "languages": f"^(?:|{_CODE}(?:{LIST_SEPARATOR}{_CODE}){{0,{MAX_ITEMS - 1}}})$",
    **{name: f"^{_ITEM}(?:{LIST_SEPARATOR}{_ITEM}){{0,{MAX_ITEMS - 1}}}$"
       for name in ("skills_required", "skills_trained", "offers")},
}
#: the longest text the JSON API takes for any field (a longer list goes as a JSON list)
TEXT_MAX = MAX_TEXT
#: the pattern of one item when a list field is sent as a JSON list
ITEM_PATTERNS: dict[str, str] = {
    "languages": f"^{_CODE}$",  # published as the list of codes
    **{name: f"^{_ITEM}$" for name in ("skills_required", "skills_trained", "offers")},
}
#: the JSON type a field's value may have besides text (``None`` is always allowed but for
#: ``slots``)
JSON_KINDS: dict[str, tuple[type, ...]] = {
    name: {"integer": (int, float), "number": (int, float), "boolean": (bool,)}.get(
        _COLUMNS[name].kind, ()) for name in FIELDS}
_TEXT_RE = {name: re.compile(pattern) for name, pattern in TEXT_PATTERNS.items()}
_ITEM_RE = {name: re.compile(pattern) for name, pattern in ITEM_PATTERNS.items()}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with a submitted role: the field, the rule and the value received."""

    field: str
    rule: str
    value: str | None

    @property
    def message(self) -> str:
        return str(Problem(file=MESSAGE_NAME, line=None, column=self.field, rule=self.rule,
                           value=self.value))

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule, "value": self.value,
                "message": self.message}


class RoleInvalid(ValueError):
    """A submitted role broke one or more rules; ``problems`` lists every one."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass
class _Cells:
    cells: dict[str, str | None] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)


def json_value(value: Any) -> str:
    """A JSON value as shown in a problem: at most 200 characters, never an error."""
    try:
        return json.dumps(value, ensure_ascii=False)[:MAX_TEXT]
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 64:  # far past any column; str() of a huge int is slow
            raise OverflowError
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value) if math.isfinite(value) else str(value)
    raise TypeError


def _text_rule(name: str, value: str) -> str:
    """The rule a text broke when it does not match its field's pattern."""
    if "\x00" in value:
        return RULE_NUL
    if name in LIST_FIELDS:
        items = value.split(LIST_SEPARATOR)
        if len(items) > MAX_ITEMS:
            return RULE_TOO_MANY
        if any(len(i) > MAX_TEXT for i in items):
            return RULE_TOO_LONG
    elif len(value) > MAX_TEXT:
        return RULE_TOO_LONG
    return _COLUMNS[name].rule


def _strict_problem(name: str, value: Any) -> FieldProblem | None:
    """What is wrong with a JSON value the published schema does not allow (``None``: fine)."""
    if value is None or (name == "slots" and value == ""):
        return None  # not stated: the ROLES rules say whether it must be
    kinds = JSON_KINDS[name]
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            return FieldProblem(name, RULE_TOO_LONG, value[:MAX_TEXT])
        if _TEXT_RE[name].search(value) is None:
            rule = _text_rule(name, value)
            if name == "languages" and rule == _COLUMNS[name].rule:  # name the code, as the CLI
                value = next((i.strip() for i in value.split(LIST_SEPARATOR)
                              if _ITEM_RE[name].search(i) is None), value)
            return FieldProblem(name, rule, value[:MAX_TEXT])
        return None
    if name in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return FieldProblem(name, RULE_JSON_TYPE_LIST, json_value(value))
        if len(value) > MAX_ITEMS:
            return FieldProblem(name, RULE_TOO_MANY, None)
        for item in value:
            if len(item) > MAX_TEXT:
                return FieldProblem(name, RULE_TOO_LONG, item[:MAX_TEXT])
            if (item not in LANGUAGE_CODES if name == "languages"
                    else _ITEM_RE[name].search(item) is None):
                rule = (_COLUMNS[name].rule if name == "languages"
                        else RULE_ITEM_SEPARATOR if LIST_SEPARATOR in item else RULE_TOO_LONG)
                return FieldProblem(name, rule, item[:MAX_TEXT])
        return None
    if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
        rule = _COLUMNS[name].rule if kinds or name == "form" else RULE_TEXT
        return FieldProblem(name, rule, json_value(value))
    return None


def to_cells(payload: Mapping[str, Any], *, strict: bool = False) -> dict[str, str | None]:
    """The text cells of a submitted role (JSON object or form), one per field given.

    A list field may be a ``;``-separated text or a list of texts; a scalar field a text, a
    number or a boolean (written as text, so the ROLES rules judge it as they would a CSV cell).

    Parameters
    ----------
    payload : mapping
        Field -> value, as a JSON body or a form sent it.
    strict : bool
        A JSON body: each value must also be of the JSON type the OpenAPI document publishes,
        and a text must match the field's :data:`TEXT_PATTERNS` (a form sends only text, judged
        by the ROLES rules alone).

    Raises
    ------
    RoleInvalid
        With every field that is unknown, of the wrong JSON type, too long, or holds NUL.
    """
    out = _to_cells(payload, strict)
    if out.problems:
        raise RoleInvalid(out.problems)
    return out.cells


def _to_cells(payload: Mapping[str, Any], strict: bool) -> _Cells:
    out = _Cells()
    for name, value in payload.items():
        if name in READ_ONLY_FIELDS:
            continue
        if name not in FIELDS:
            out.problems.append(FieldProblem(str(name)[:MAX_TEXT],
                                             RULE_UNKNOWN.format(known=", ".join(FIELDS)), None))
            continue
        if strict:
            problem = _strict_problem(name, value)
            if problem is not None:
                out.problems.append(problem)
                continue
        if name in LIST_FIELDS and isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                out.problems.append(FieldProblem(name, RULE_JSON_TYPE_LIST, json_value(value)))
                continue
            if len(value) > MAX_ITEMS:
                out.problems.append(FieldProblem(name, RULE_TOO_MANY, None))
                continue
            text: str | None = LIST_SEPARATOR.join(value)
        else:
            try:
                text = _scalar_text(value)
            except OverflowError:
                out.problems.append(FieldProblem(name, _COLUMNS[name].rule, None))
                continue
            except TypeError:
                rule = RULE_JSON_TYPE_LIST if name in LIST_FIELDS else RULE_JSON_TYPE_SCALAR
                out.problems.append(FieldProblem(name, rule, json_value(value)))
                continue
        if text is not None:
            if "\x00" in text:
                out.problems.append(FieldProblem(name, RULE_NUL, None))
                continue
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate, e.g. JSON "\ud800"
                out.problems.append(FieldProblem(name, RULE_UNICODE, None))
                continue
            if name in LIST_FIELDS:
                # counted as sent (blank items too), as the published pattern counts them
                items = text.split(LIST_SEPARATOR)
                if len(items) > MAX_ITEMS:
                    out.problems.append(FieldProblem(name, RULE_TOO_MANY, None))
                    continue
                if any(len(i) > MAX_TEXT for i in items):
                    out.problems.append(FieldProblem(name, RULE_TOO_LONG, None))
                    continue
            elif len(text) > MAX_TEXT:
                out.problems.append(FieldProblem(name, RULE_TOO_LONG, None))
                continue
        out.cells[name] = text
    return out


def check_payload(payload: Mapping[str, Any], enterprise: str,
                  stored: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Check a JSON role (all of it, or the fields a PATCH sends over the ``stored`` cells) and
    return its typed fields; every problem is listed, those of JSON types and those of the
    ROLES rules together.

    Raises
    ------
    RoleInvalid
    """
    sent = _to_cells(payload, strict=True)
    cells = {**(stored or {}), **sent.cells}
    try:
        fields = check_role(cells, enterprise)
    except RoleInvalid as exc:
        flagged = {p.field for p in sent.problems}
        raise RoleInvalid(sent.problems + [p for p in exc.problems
                                           if p.field not in flagged]) from None
    if sent.problems:
        raise RoleInvalid(sent.problems)
    return fields


def check_role(cells: Mapping[str, str | None], enterprise: str) -> dict[str, Any]:
    """Validate a role's text cells with the ROLES schema; return its typed fields.

    Parameters
    ----------
    cells : mapping of field to text
        Every field of the role (a missing field is not stated).
    enterprise : str
        The account's name; it fills the ``enterprise`` column, as the server owns it.

    Returns
    -------
    dict
        Field -> typed value: text or ``None``, list of text, int, float, bool.

    Raises
    ------
    RoleInvalid
        With one :class:`FieldProblem` per ROLES problem, in the CLI's words.

    Examples
    --------
    >>> check_role({"slots": "-2"}, "Bikuben")
    Traceback (most recent call last):
    ...
    matcher.service.roles.RoleInvalid: role column 'slots': must be an integer >= 0, got '-2'
    """
    data: dict[str, list[str | None]] = {"role_id": ["new"], "enterprise": [enterprise]}
    data |= {name: [cells.get(name)] for name in FIELDS}
    raw = pl.DataFrame(data, schema={name: pl.String() for name in data})
    try:
        typed = validate_roles(raw, MESSAGE_NAME)
    except InputError as exc:
        raise RoleInvalid([
            FieldProblem(p.column or "role", p.rule, p.value) for p in exc.problems
        ]) from None
    row = typed.row(0, named=True)
    too_large = [FieldProblem(c.name, RULE_INT_MAX, str(row[c.name])) for c in ROLE_SCHEMA.columns
                 if c.kind == "integer" and row[c.name] is not None and row[c.name] > INT_MAX]
    if too_large:  # the ROLES rule has no upper bound; the database column has one
        raise RoleInvalid(too_large)
    return {name: row[name] for name in FIELDS}


def describe_terms(fields: Mapping[str, Any], taxonomy: Taxonomy, names: str = "en"
                   ) -> dict[str, Any]:
    """How each term of a role resolved, and a warning with suggestions for each that did not.

    ``names`` is the language the suggestions are named in (``'no'`` on the Norwegian pages,
    ESCO's Norwegian names and the adaptations' Norwegian words; English where there are none).

    Returns
    -------
    dict
        ``{"terms": {field: [{"term", "resolved", "label", "uri", "method", "suggestions"}]},
        "warnings": [{"field", "term", "rule", "suggestions", "message"}]}``; the warnings are the
        ones ``matcher match`` would print for this role.
    """
    frame = pl.DataFrame(
        {
            "occupation": [fields.get("occupation")],
            "skills_required": [list(fields.get("skills_required") or [])],
            "skills_trained": [list(fields.get("skills_trained") or [])],
            "offers": [list(fields.get("offers") or [])],
            "_row": [1],
        },
        schema={"occupation": pl.String(), "skills_required": pl.List(pl.String()),
                "skills_trained": pl.List(pl.String()), "offers": pl.List(pl.String()),
                "_row": pl.Int64()},
    )
    resolved = resolve_terms(frame, name=MESSAGE_NAME, columns=ROLE_TERMS, taxonomy=taxonomy)
    terms: dict[str, list[dict[str, Any]]] = {}
    suggestions: dict[tuple[str, str], list[str]] = {}
    for column, kind in ROLE_TERMS.items():
        value = fields.get(column)
        items = [value] if isinstance(value, str) else list(value or [])
        out: list[dict[str, Any]] = []
        for term in items:
            if kind == "adaptation":
                a = resolved.adaptation_matches[column][term]
                entry: dict[str, Any] = {
                    "term": term, "resolved": a.known, "label": a.label if a.known else None,
                    "uri": None, "method": "adaptation" if a.known else None,
                    "suggestions": list(a.suggestions) if names == "en" else
                    [adaptation_label(k, _ADAPTATION_LANG.get(names, "en"))
                     for k in a.suggested_keys]}
            else:
                r = resolved.resolutions[column][term]
                entry = {"term": term, "resolved": r.resolved, "label": r.label, "uri": r.uri,
                         "method": r.method, "suggestions": _suggestions(r, taxonomy, names)}
            suggestions[(column, term)] = entry["suggestions"]
            out.append(entry)
        terms[column] = out
    warnings = [
        {"field": w.column, "term": w.value, "rule": w.rule,
         "suggestions": suggestions.get((w.column or "", w.value or ""), []),
         "message": str(Problem(MESSAGE_NAME, None, w.column, w.rule, w.value))}
        for w in resolved.warnings
    ]
    return {"terms": terms, "warnings": warnings}


#: the service's page language -> the language of the adaptations' words
_ADAPTATION_LANG = {"no": "nb", "da": "da", "en": "en"}


def _suggestions(r: Resolution, taxonomy: Taxonomy, names: str) -> list[str]:
    """The resolver's suggestions for ``r``, named in ``names`` (the same concepts, in order)."""
    if names == "en" or not r.candidates:
        return list(r.suggestions)
    others = [u for u in r.candidates if u != r.uri]
    named = [n for n in (taxonomy.concept_name(u, names) for u in others) if n]
    return list(dict.fromkeys(named))[:max(1, len(r.suggestions))]
