"""What the OpenAPI document says of each call: bodies, answers and their statuses.

The document at ``/openapi.json`` must describe the service as it is, so a client generated from
it (or a fuzzer reading it, as the test suite's schemathesis run does) is never surprised. The
schemas here are built from the same declarations the service checks against:

- a role's fields from :data:`matcher.io.ROLE_SCHEMA` (bounds, choices, the ``lat``/``lon`` pair)
  and the JSON API's own :data:`~matcher.service.roles.TEXT_PATTERNS` (what a field may be sent
  as text), with the 32-bit bound of the database columns;
- every error answer in the two shapes the service sends: ``{"detail"}``, and for a request
  that breaks a rule ``{"detail", "problems": [{"field", "rule", "value", "message"}]}``.
"""

from __future__ import annotations

from typing import Any

from matcher.io import ROLE_SCHEMA
from matcher.io.languages import iso639_1_codes
from matcher.service.models import INT_MAX
from matcher.service.roles import (
    FIELDS,
    ITEM_PATTERNS,
    LIST_FIELDS,
    MAX_ITEMS,
    MAX_TEXT,
    READ_ONLY_FIELDS,
    TEXT_MAX,
    TEXT_PATTERNS,
)

LANGUAGE_CODES = iso639_1_codes()  # the codes the JSON API accepts

__all__ = [
    "NEW_TOKEN_BODY",
    "PASSWORD_BODY",
    "ROLE_BODY",
    "ROLE_PATCH_BODY",
    "answers",
    "json_body",
]

_COLUMNS = {c.name: c for c in ROLE_SCHEMA.columns}
_NULL = {"type": "null"}

ERROR = {"type": "object", "required": ["detail"],
         "properties": {"detail": {"type": "string"}}}
PROBLEMS = {
    "type": "object", "required": ["detail", "problems"],
    "properties": {
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {
            "type": "object", "required": ["field", "rule", "value", "message"],
            "properties": {"field": {"type": "string"}, "rule": {"type": "string"},
                           "value": {"type": ["string", "null"]},
                           "message": {"type": "string"}}}},
    },
}


def _text(name: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": TEXT_MAX, "pattern": TEXT_PATTERNS[name]}


def _field_in(name: str) -> dict[str, Any]:
    """What a role field may be in a request body."""
    column = _COLUMNS[name]
    if name in LIST_FIELDS:
        item: dict[str, Any] = {"type": "string", "maxLength": MAX_TEXT,
                                "pattern": ITEM_PATTERNS[name]}
        if name == "languages":
            item = {"enum": sorted(LANGUAGE_CODES)}
        typed: dict[str, Any] = {"type": "array", "maxItems": MAX_ITEMS, "items": item}
    elif column.kind in ("integer", "number"):
        typed = {"type": column.kind}
        if column.minimum is not None:
            key = "exclusiveMinimum" if column.exclusive_minimum else "minimum"
            typed[key] = int(column.minimum) if column.kind == "integer" else column.minimum
        if column.maximum is not None:
            typed["maximum"] = column.maximum
        if column.kind == "integer":
            typed["maximum"] = INT_MAX
    elif column.kind == "boolean":
        typed = {"type": "boolean"}
    else:
        typed = {}
    options = [typed, _text(name)] if typed else [_text(name)]
    if name != "slots":
        options.append(_NULL)
    return {"anyOf": options, "description": f"{name} {column.rule}" + (
        "; null or an empty text: not stated" if name != "slots" else "")}


def _given(name: str) -> dict[str, Any]:
    """A body in which ``name`` is stated (present, not null, not an empty text)."""
    return {"required": [name], "properties": {name: {"not": {"enum": [None, ""]}}}}


def _not_given(name: str) -> dict[str, Any]:
    return {"anyOf": [{"not": {"required": [name]}},
                      {"properties": {name: {"enum": [None, ""]}}}]}


def _role_body(required: list[str]) -> dict[str, Any]:
    properties = {name: _field_in(name) for name in FIELDS}
    properties |= {name: {"description": "ignored (the server's)"}
                   for name in sorted(READ_ONLY_FIELDS)}
    body: dict[str, Any] = {"type": "object", "properties": properties,
                            "additionalProperties": False}
    if required:
        body["required"] = required
        # a new role states lat and lon together or neither (a change is judged together with
        # the stored role, so a PATCH body alone cannot say)
        body["allOf"] = [{"anyOf": [_not_given(a), _given(b)]}
                         for a, b in ROLE_SCHEMA.pairs + tuple(p[::-1] for p in ROLE_SCHEMA.pairs)]
    return body


ROLE_BODY = _role_body(["slots"])
ROLE_BODY["example"] = {
    "title": "Birøkter i opplæring", "occupation": "birøkter",
    "skills_trained": ["breed insects", "process harvested honey"], "slots": 2, "hours": 30,
    "lat": 59.664, "lon": 10.785, "languages": "no;en;ar", "offers": ["fleksibel arbeidstid"],
    "permanent": True, "form": "employment"}
ROLE_PATCH_BODY = _role_body([])
NEW_TOKEN_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "expires_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650,
                     "description": "the token stops working after this many days; null or "
                                    "absent: until revoked"}}}
PASSWORD_BODY = {"type": "object", "additionalProperties": False, "required": ["new_password"],
                 "properties": {
                     "current_password": {"type": ["string", "null"], "maxLength": 1000,
                                          "description": "required when the account has one"},
                     "new_password": {"type": "string", "minLength": 8, "maxLength": 1000,
                                      "pattern": "^[^\\x00]*$"}}}


def _field_out(name: str) -> dict[str, Any]:
    column = _COLUMNS[name]
    if name in LIST_FIELDS:
        return {"type": "array", "items": {"type": "string"}}
    kind = {"integer": "integer", "number": "number", "boolean": "boolean"}.get(column.kind,
                                                                               "string")
    if name == "slots":
        return {"type": "integer", "minimum": 1, "maximum": INT_MAX}
    if column.kind == "choice":
        return {"enum": [*column.allowed, None]}
    return {"type": [kind, "null"]}


_TERM = {"type": "object", "required": ["term", "resolved", "label", "uri", "suggestions"],
         "properties": {"term": {"type": "string"}, "resolved": {"type": "boolean"},
                        "label": {"type": ["string", "null"]}, "uri": {"type": ["string", "null"]},
                        "method": {"type": ["string", "null"]},
                        "suggestions": {"type": "array", "items": {"type": "string"}}}}
_WARNING = {"type": "object", "required": ["field", "term", "rule", "suggestions", "message"],
            "properties": {"field": {"type": ["string", "null"]},
                           "term": {"type": ["string", "null"]}, "rule": {"type": "string"},
                           "suggestions": {"type": "array", "items": {"type": "string"}},
                           "message": {"type": "string"}}}
ROLE = {
    "type": "object",
    "required": ["role_id", "enterprise", "status", *FIELDS, "created_at", "updated_at"],
    "properties": {
        "role_id": {"type": "string", "pattern": "^R[0-9]{6,10}$"},
        "enterprise": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        **{name: _field_out(name) for name in FIELDS},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "terms": {"type": "object", "additionalProperties": {"type": "array", "items": _TERM}},
        "warnings": {"type": "array", "items": _WARNING},
    },
    "additionalProperties": False,
}
ROLE_PAGE = {"type": "object", "required": ["items", "total", "limit", "offset"],
             "properties": {"items": {"type": "array", "items": ROLE},
                            "total": {"type": "integer", "minimum": 0},
                            "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
HISTORY_PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": {
        "type": "object", "required": ["role_id", "account", "at", "action", "changes"],
        "properties": {"role_id": {"type": "string"}, "account": {"type": "string"},
                       "at": {"type": "string", "format": "date-time"},
                       "action": {"enum": ["create", "update", "close"]},
                       "changes": {"type": "object"}}}},
    "total": {"type": "integer", "minimum": 0}}}
TERMS = {"type": "object", "required": ["q", "kind", "items", "resolution"], "properties": {
    "q": {"type": "string"}, "kind": {"enum": ["occupation", "skill", "adaptation"]},
    "items": {"type": "array", "items": {
        "type": "object", "required": ["label", "lang", "uri"],
        "properties": {"label": {"type": "string"}, "lang": {"type": ["string", "null"]},
                       "uri": {"type": ["string", "null"]}}}},
    "resolution": {"type": "object", "required": ["resolved", "label", "uri", "suggestions"],
                   "properties": {"resolved": {"type": "boolean"},
                                  "label": {"type": ["string", "null"]},
                                  "uri": {"type": ["string", "null"]},
                                  "method": {"type": ["string", "null"]},
                                  "suggestions": {"type": "array",
                                                  "items": {"type": "string"}}}}}}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
TOKEN_INFO = {"type": "object",
              "required": ["token_id", "status", "created_at", "expires_at", "revoked_at"],
              "properties": {"token_id": {"type": "integer"},
                             "status": {"enum": ["live", "revoked", "expired"]},
                             "created_at": {"type": "string", "format": "date-time"},
                             "expires_at": _WHEN, "revoked_at": _WHEN}}
ACCOUNT = {"type": "object", "required": ["account", "kind", "tokens"], "properties": {
    "account": {"type": "string"}, "kind": {"enum": ["enterprise", "caseworker"]},
    "tokens": {"type": "array", "items": TOKEN_INFO}}}
NEW_TOKEN = {"type": "object", "required": ["token_id", "token", "created_at", "expires_at"],
             "properties": {"token_id": {"type": "integer"},
                            "token": {"type": "string", "description": "shown this once"},
                            "created_at": {"type": "string", "format": "date-time"},
                            "expires_at": _WHEN}}

_WHY = {
    400: "The body is not UTF-8, or not JSON (nested too deeply, a number too long).",
    401: "No valid API token: missing, malformed, unknown, revoked or expired, or the account "
         "is disabled.",
    403: "The account may not do this (a caseworker writing, an enterprise exporting; a wrong "
         "current password).",
    404: "No such role for this account (another enterprise's role answers the same).",
    409: "The role is closed; it can no longer change.",
    413: "The body is larger than the service accepts.",
    415: "The body is not JSON (Content-Type: application/json).",
    422: "A field or parameter breaks a rule: every problem with its field, rule and value.",
    429: "Too many wrong passwords; try again after Retry-After seconds.",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "seconds"}},
}


def json_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    """An ``openapi_extra`` that documents a JSON request body the route reads itself."""
    return {"requestBody": {"required": required,
                            "content": {"application/json": {"schema": schema}}}}


def answers(ok: int, body: dict[str, Any] | None, *errors: int,
            media: str = "application/json", headers: dict[str, Any] | None = None,
            ) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: its success and each error status it can answer."""
    out: dict[int | str, dict[str, Any]] = {}
    success: dict[str, Any] = {"description": "Done."}
    if body is not None:
        success["content"] = {media: {"schema": body}}
    if headers:
        success["headers"] = headers
    out[ok] = success
    for status in errors:
        entry: dict[str, Any] = {"description": _WHY[status], "content": {
            "application/json": {"schema": PROBLEMS if status == 422 else ERROR}}}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out
