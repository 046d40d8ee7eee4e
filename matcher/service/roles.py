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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from matcher.errors import InputError, Problem
from matcher.io import ROLE_SCHEMA, validate_roles
from matcher.io.schema import LIST_SEPARATOR
from matcher.taxonomy import Taxonomy
from matcher.taxonomy.adaptations import resolve_adaptation
from matcher.terms import ROLE_TERMS, resolve_terms

__all__ = [
    "FIELDS",
    "LIST_FIELDS",
    "READ_ONLY_FIELDS",
    "FieldProblem",
    "RoleInvalid",
    "check_role",
    "describe_terms",
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


def _json_value(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:MAX_TEXT]
    except (TypeError, ValueError):
        return type(value).__name__


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    raise TypeError


def to_cells(payload: Mapping[str, Any]) -> dict[str, str | None]:
    """The text cells of a submitted role (JSON object or form), one per field given.

    A list field may be a ``;``-separated text or a list of texts; a scalar field a text, a
    number or a boolean (written as text, so the ROLES rules judge it as they would a CSV cell).

    Raises
    ------
    RoleInvalid
        With every field that is unknown, of the wrong JSON type, too long, or holds NUL.
    """
    out = _Cells()
    for name, value in payload.items():
        if name in READ_ONLY_FIELDS:
            continue
        if name not in FIELDS:
            out.problems.append(FieldProblem(str(name)[:MAX_TEXT],
                                             RULE_UNKNOWN.format(known=", ".join(FIELDS)), None))
            continue
        if name in LIST_FIELDS and isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                out.problems.append(FieldProblem(name, RULE_JSON_TYPE_LIST, _json_value(value)))
                continue
            if len(value) > MAX_ITEMS:
                out.problems.append(FieldProblem(name, RULE_TOO_MANY, None))
                continue
            text: str | None = LIST_SEPARATOR.join(value)
        else:
            try:
                text = _scalar_text(value)
            except TypeError:
                rule = RULE_JSON_TYPE_LIST if name in LIST_FIELDS else RULE_JSON_TYPE_SCALAR
                out.problems.append(FieldProblem(name, rule, _json_value(value)))
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
                items = [i for i in text.split(LIST_SEPARATOR) if i.strip()]
                if len(items) > MAX_ITEMS:
                    out.problems.append(FieldProblem(name, RULE_TOO_MANY, None))
                    continue
                if any(len(i.strip()) > MAX_TEXT for i in items):
                    out.problems.append(FieldProblem(name, RULE_TOO_LONG, None))
                    continue
            elif len(text.strip()) > MAX_TEXT:
                out.problems.append(FieldProblem(name, RULE_TOO_LONG, None))
                continue
        out.cells[name] = text
    if out.problems:
        raise RoleInvalid(out.problems)
    return out.cells


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
    return {name: row[name] for name in FIELDS}


def describe_terms(fields: Mapping[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """How each term of a role resolved, and a warning with suggestions for each that did not.

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
                a = resolve_adaptation(term)
                entry: dict[str, Any] = {
                    "term": term, "resolved": a.known, "label": a.label if a.known else None,
                    "uri": None, "method": "adaptation" if a.known else None,
                    "suggestions": list(a.suggestions)}
            else:
                r = taxonomy.resolve(term, "occupation" if kind == "occupation" else "skill")
                entry = {"term": term, "resolved": r.resolved, "label": r.label, "uri": r.uri,
                         "method": r.method, "suggestions": list(r.suggestions)}
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
