"""The JSON API under ``/api`` (OpenAPI documentation at ``/docs``).

=========================================== =====================================================
``POST /api/roles``                          post a role (enterprise); 201 with the stored role
``GET /api/roles``                           roles the account may see; ``limit``, ``offset``
``GET /api/roles/{role_id}``                 one role, with how its terms resolved
``PATCH /api/roles/{role_id}``               change some fields (enterprise, own open roles)
``POST /api/roles/{role_id}/close``          close a role (enterprise, own roles)
``GET /api/roles/{role_id}/history``         who changed what, when
``GET /api/history``                         every change the account may read
``GET /api/export``                          open roles as a ROLES CSV (caseworker)
``GET /api/terms?q=``                        autocomplete for occupation, skill and adaptation terms
=========================================== =====================================================

A request carries ``Authorization: Bearer TOKEN``. Another enterprise's role answers 404 to
every verb, exactly as a role that does not exist. A 422 lists every problem with its field,
rule and value, worded as ``matcher match`` words them.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from matcher.service import export as exports
from matcher.service import openapi
from matcher.service.models import INT_MAX
from matcher.service.repository import Account, RoleClosed, RoleRecord, parse_role_id
from matcher.service.roles import (
    FIELDS,
    LIST_FIELDS,
    FieldProblem,
    RoleInvalid,
    check_payload,
    describe_terms,
    json_value,
)
from matcher.service.state import ServiceState, api_account, get_state

__all__ = ["ROLE_JSON_SCHEMA", "export_csv", "router", "typed_to_cells"]

router = APIRouter(prefix="/api", tags=["roles"])

_NOT_FOUND = "role not found"


ROLE_JSON_SCHEMA = openapi.ROLE_BODY
_POST_BODY = openapi.json_body(openapi.ROLE_BODY)
_PATCH_BODY = openapi.json_body(openapi.ROLE_PATCH_BODY)
_EXPORT_CSV = {"type": "string", "description": "the ROLES CSV"}


def _problems(problems: list[FieldProblem], detail: str = "the role is not valid",
              ) -> JSONResponse:
    return JSONResponse(status_code=422, content={
        "detail": detail, "problems": [p.as_json() for p in problems]})


async def _payload(request: Request) -> dict[str, Any] | JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return JSONResponse(status_code=415, content={
            "detail": "the body must be JSON (Content-Type: application/json)"})
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return JSONResponse(status_code=400, content={"detail": "the body must be UTF-8"})
    try:
        payload = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return JSONResponse(status_code=400, content={
            "detail": f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"})
    except RecursionError:
        return JSONResponse(status_code=400, content={
            "detail": "the body is not a role: JSON nested too deeply"})
    except ValueError as exc:  # an integer of more than 4,300 digits, NaN, Infinity
        return JSONResponse(status_code=400, content={"detail": f"the body is not JSON: {exc}"})
    if not isinstance(payload, dict):
        return JSONResponse(status_code=422, content={
            "detail": "the body must be a JSON object", "problems": []})
    return payload


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def typed_to_cells(fields: dict[str, Any]) -> dict[str, str | None]:
    """A stored role's typed fields as the text cells :func:`check_role` reads."""
    cells: dict[str, str | None] = {}
    for name in FIELDS:
        value = fields.get(name)
        if value is None:
            cells[name] = None
        elif name in LIST_FIELDS:
            cells[name] = ";".join(value)
        elif isinstance(value, bool):
            cells[name] = "true" if value else "false"
        elif isinstance(value, float):
            cells[name] = repr(value)
        else:
            cells[name] = str(value)
    return cells


def _with_terms(state: ServiceState, record: RoleRecord) -> dict[str, Any]:
    return {**record.as_json(), **describe_terms(record.fields, state.taxonomy)}


def _pk(role_id: str) -> int:
    pk = parse_role_id(role_id)
    if pk is None:
        raise HTTPException(404, _NOT_FOUND)
    return pk


def _enterprise(account: Account) -> None:
    if account.is_caseworker:
        raise HTTPException(403, "caseworker accounts read roles; only enterprises post and "
                                 "change them")


StateDep = Annotated[ServiceState, Depends(get_state)]
AccountDep = Annotated[Account, Depends(api_account)]


@router.post("/roles", status_code=201, openapi_extra=_POST_BODY,
             summary="Post a role (enterprise accounts)",
             responses=openapi.answers(201, openapi.ROLE, 400, 401, 403, 413, 415, 422,
                                       headers={"Location": {"schema": {"type": "string"}}}))
async def post_role(request: Request, state: StateDep, account: AccountDep) -> Response:
    _enterprise(account)
    payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload

    def work() -> dict[str, Any] | list[FieldProblem]:
        try:
            fields = check_payload(payload, account.name)
        except RoleInvalid as exc:
            return exc.problems
        return _with_terms(state, state.repository.create_role(account, fields))

    result = await run_in_threadpool(work)
    if isinstance(result, list):
        return _problems(result)
    return JSONResponse(status_code=201, content=result,
                        headers={"location": f"/api/roles/{result['role_id']}"})


@router.get("/roles", summary="List the roles this account may see",
            responses=openapi.answers(200, openapi.ROLE_PAGE, 401, 422))
async def list_roles(
    state: StateDep, account: AccountDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0,
    status: Literal["open", "closed"] | None = None,
) -> dict[str, Any]:
    items, total = await run_in_threadpool(
        state.repository.list_roles, account, limit=limit, offset=offset, status=status)
    return {"items": [r.as_json() for r in items], "total": total, "limit": limit,
            "offset": offset}


@router.get("/roles/{role_id}", summary="One role, with how its terms resolved",
            responses=openapi.answers(200, openapi.ROLE, 401, 404))
async def get_role(role_id: str, state: StateDep, account: AccountDep) -> dict[str, Any]:
    pk = _pk(role_id)

    def work() -> dict[str, Any] | None:
        record = state.repository.get_role(account, pk)
        return None if record is None else _with_terms(state, record)

    result = await run_in_threadpool(work)
    if result is None:
        raise HTTPException(404, _NOT_FOUND)
    return result


@router.patch("/roles/{role_id}", openapi_extra=_PATCH_BODY,
              summary="Change some fields of an own open role",
              responses=openapi.answers(200, openapi.ROLE, 400, 401, 403, 404, 409, 413, 415,
                                        422))
async def patch_role(role_id: str, request: Request, state: StateDep,
                     account: AccountDep) -> Response:
    pk = _pk(role_id)
    if account.is_caseworker:
        if await run_in_threadpool(state.repository.get_role, account, pk) is None:
            raise HTTPException(404, _NOT_FOUND)
        _enterprise(account)
    payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload

    def work() -> dict[str, Any] | list[FieldProblem] | None:
        try:
            updated = state.repository.update_role(
                account, pk, lambda old: check_payload(payload, account.name,
                                                       typed_to_cells(old)))
        except RoleInvalid as exc:
            return exc.problems
        except RoleClosed:
            raise HTTPException(409, "the role is closed; post a new one") from None
        return None if updated is None else _with_terms(state, updated)

    result = await run_in_threadpool(work)
    if result is None:
        raise HTTPException(404, _NOT_FOUND)
    if isinstance(result, list):
        return _problems(result)
    return JSONResponse(content=result)


@router.post("/roles/{role_id}/close", summary="Close an own role",
             responses=openapi.answers(200, openapi.ROLE, 401, 403, 404, 413))
async def close_role(role_id: str, state: StateDep, account: AccountDep) -> dict[str, Any]:
    pk = _pk(role_id)
    if account.is_caseworker:
        if await run_in_threadpool(state.repository.get_role, account, pk) is None:
            raise HTTPException(404, _NOT_FOUND)
        _enterprise(account)
    record = await run_in_threadpool(state.repository.close_role, account, pk)
    if record is None:
        raise HTTPException(404, _NOT_FOUND)
    return record.as_json()


@router.get("/roles/{role_id}/history", summary="Who changed a role, when, and what",
            responses=openapi.answers(200, openapi.HISTORY_PAGE, 401, 404, 422))
async def role_history(role_id: str, state: StateDep, account: AccountDep,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0) -> dict[str, Any]:
    pk = _pk(role_id)

    def work() -> dict[str, Any] | None:
        if not state.repository.role_exists_for_history(account, pk):
            return None
        items, total = state.repository.history(account, pk, limit=limit, offset=offset)
        return {"items": [e.as_json() for e in items], "total": total}

    result = await run_in_threadpool(work)
    if result is None:
        raise HTTPException(404, _NOT_FOUND)
    return result


@router.get("/history", summary="Every change this account may read (caseworkers: all)",
            responses=openapi.answers(200, openapi.HISTORY_PAGE, 401, 422))
async def all_history(state: StateDep, account: AccountDep,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      offset: Annotated[int, Query(ge=0, le=INT_MAX)] = 0) -> dict[str, Any]:
    items, total = await run_in_threadpool(
        state.repository.history, account, None, limit=limit, offset=offset)
    return {"items": [e.as_json() for e in items], "total": total}


def export_csv(state: ServiceState) -> bytes:
    """The open roles as the ROLES CSV that ``matcher match`` reads, formulas defused (see
    :mod:`matcher.service.export`)."""
    return exports.export_csv(state.repository.open_roles())


@router.get("/export", summary="Open roles as a ROLES CSV (caseworker accounts)",
            response_class=Response,
            responses=openapi.answers(200, _EXPORT_CSV, 401, 403, media="text/csv"))
async def export(state: StateDep, account: AccountDep) -> Response:
    if not account.is_caseworker:
        raise HTTPException(403, "only caseworker accounts export roles")
    data = await run_in_threadpool(export_csv, state)
    return Response(content=data, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="roles.csv"'})


@router.get("/terms", summary="Autocomplete and resolve a term", tags=["terms"],
            responses=openapi.answers(200, openapi.TERMS, 401, 422))
async def terms(
    state: StateDep, account: AccountDep,
    q: Annotated[str, Query(max_length=200)],
    kind: Literal["occupation", "skill", "adaptation"] = "occupation",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        items = state.terms.complete(q, kind, limit)
        if kind == "adaptation":
            from matcher.taxonomy.adaptations import resolve_adaptation

            a = resolve_adaptation(q)
            resolution = {"resolved": a.known, "label": a.label if a.known else None,
                          "uri": None, "suggestions": list(a.suggestions)}
        else:
            r = state.taxonomy.resolve(q, kind)
            resolution = {"resolved": r.resolved, "label": r.label, "uri": r.uri,
                          "method": r.method, "suggestions": list(r.suggestions)}
        return {"q": q, "kind": kind, "items": items, "resolution": resolution}

    return await run_in_threadpool(work)


# --- the account's own credentials -------------------------------------------------------

MAX_PASSWORD = 1000
MAX_EXPIRES_DAYS = 3650


def _account_problems(payload: dict[str, Any], known: dict[str, tuple[str, Any]],
                      ) -> list[FieldProblem]:
    """Problems of a small JSON body: unknown fields, and each field's own check."""
    problems = []
    for name, value in payload.items():
        if name not in known:
            problems.append(FieldProblem(str(name)[:200], "is not a field of this request "
                                         f"(known: {', '.join(known)})", None))
            continue
        rule, ok = known[name]
        if not ok(value):
            problems.append(FieldProblem(name, rule, None if name.endswith("password")
                                         else json_value(value)))
    return problems


def _expiry_ok(value: Any) -> bool:
    return value is None or (type(value) is int and 1 <= value <= MAX_EXPIRES_DAYS)


def _password_ok(value: Any) -> bool:
    return isinstance(value, str) and 8 <= len(value) <= MAX_PASSWORD and "\x00" not in value


@router.get("/account", summary="This account: its name, kind and API tokens",
            tags=["account"], responses=openapi.answers(200, openapi.ACCOUNT, 401))
async def own_account(state: StateDep, account: AccountDep) -> dict[str, Any]:
    tokens = await run_in_threadpool(state.repository.tokens, account)
    return {"account": account.name, "kind": account.kind,
            "tokens": [t.as_json() for t in tokens]}


@router.post("/account/tokens", status_code=201, tags=["account"],
             summary="A new API token for this account (its other tokens stay live)",
             openapi_extra=openapi.json_body(openapi.NEW_TOKEN_BODY, required=False),
             responses=openapi.answers(201, openapi.NEW_TOKEN, 400, 401, 413, 415, 422))
async def new_token(request: Request, state: StateDep, account: AccountDep) -> Response:
    body = await request.body()
    payload: dict[str, Any] | JSONResponse = {}
    if body.strip():
        payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload
    problems = _account_problems(payload, {"expires_days": (
        f"must be an integer from 1 to {MAX_EXPIRES_DAYS}, or null", _expiry_ok)})
    if problems:
        return _problems(problems, "the request is not valid")
    days = payload.get("expires_days")
    token = await run_in_threadpool(state.repository.new_token, account,
                                    None if days is None else timedelta(days=days))
    return JSONResponse(status_code=201, content=token.as_json())


@router.delete("/account/tokens/{token_id}", status_code=204, tags=["account"],
               summary="Revoke one API token of this account",
               responses=openapi.answers(204, None, 401, 404, 413, 422))
async def revoke_token(token_id: Annotated[int, Path(ge=1, le=INT_MAX)], state: StateDep,
                       account: AccountDep) -> Response:
    count = await run_in_threadpool(state.repository.revoke_tokens, account, token_id)
    if count == 0:
        raise HTTPException(404, "no live token with that id for this account")
    return Response(status_code=204)


@router.delete("/account/tokens", status_code=204, tags=["account"],
               summary="Revoke every API token of this account, the one in use too",
               responses=openapi.answers(204, None, 401, 413))
async def revoke_tokens(state: StateDep, account: AccountDep) -> Response:
    await run_in_threadpool(state.repository.revoke_tokens, account, None)
    return Response(status_code=204)


@router.put("/account/password", status_code=204, tags=["account"],
            summary="Set this account's web password; every web session of it ends",
            openapi_extra=openapi.json_body(openapi.PASSWORD_BODY),
            responses=openapi.answers(204, None, 400, 401, 403, 413, 415, 422, 429))
async def set_password(request: Request, state: StateDep, account: AccountDep) -> Response:
    payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload
    problems = _account_problems(payload, {
        "current_password": ("must be the current web password (a text), or null when the "
                             "account has none", lambda v: v is None or isinstance(v, str)),
        "new_password": (f"must be a text of 8 to {MAX_PASSWORD} characters", _password_ok)})
    if "new_password" not in payload:
        problems.append(FieldProblem("new_password", "is required", None))
    if problems:
        return _problems(problems, "the request is not valid")
    key = f"account:{account.id}"
    wait = state.limiter.blocked(key)
    if wait > 0:
        return JSONResponse(status_code=429, content={"detail": "too many wrong passwords; try "
                                                      "again later"},
                            headers={"retry-after": str(int(wait) + 1)})

    def work() -> bool:
        has = state.repository.has_password(account)
        current = payload.get("current_password")
        if has and not (isinstance(current, str)
                        and state.repository.check_password(account, current)):
            return False
        state.repository.set_password(account, payload["new_password"])
        return True

    if not await run_in_threadpool(work):
        state.limiter.failed(key)
        raise HTTPException(403, "current_password is not this account's web password")
    return Response(status_code=204)
