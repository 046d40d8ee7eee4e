"""The web form: server-rendered HTML that works without JavaScript.

Log in, list the roles, post or edit a role (with term autocomplete where JavaScript runs), see
each error beside the field it concerns, close a role. Every POST form carries the CSRF token;
every value is escaped on output (Jinja2 autoescaping). A role is committed before the 303 that
leads to its page.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qsl

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from matcher.service.api import export_csv, typed_to_cells
from matcher.service.i18n import LANGUAGE_NAMES, TEXT, pick_language, rule_text
from matcher.service.models import INT_MAX
from matcher.service.repository import Account, RoleClosed, RoleRecord, parse_role_id
from matcher.service.roles import (
    FIELDS,
    LIST_FIELDS,
    RoleInvalid,
    check_role,
    describe_terms,
    to_cells,
)
from matcher.service.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    DEVICE_COOKIE,
    csrf_ok,
    new_csrf_token,
)
from matcher.service.state import SESSION_COOKIE, ServiceState, get_state, web_account

__all__ = ["BadForm", "bad_form", "router"]

router = APIRouter(include_in_schema=False)

_templates = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("matcher.service").joinpath("templates", name)
        .read_text("utf-8")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_LANG_COOKIE = "matcher_lang"
OffsetQuery = Annotated[int, Query(ge=0, le=INT_MAX)]
_TEXT_FIELDS = ("title", "occupation")
_TERM_KIND = {"occupation": "occupation", "skills_required": "skill",
              "skills_trained": "skill", "offers": "adaptation"}


def _language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(_LANG_COOKIE),
                         request.headers.get("accept-language"))


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    state = get_state(request)
    lang = _language(request)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    html = _templates.get_template(template).render(
        t=TEXT[lang], lang=lang, languages=LANGUAGE_NAMES, csrf=csrf, csrf_field=CSRF_FIELD,
        fields=FIELDS, list_fields=LIST_FIELDS, term_kind=_TERM_KIND, path=request.url.path,
        **context)
    response = HTMLResponse(html, status_code=status)
    secure = state.settings.secure_cookies
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure,
                            path="/")
    if request.query_params.get("lang") == lang:
        response.set_cookie(_LANG_COOKIE, lang, samesite="strict", secure=secure, path="/",
                            max_age=365 * 24 * 3600)
    return response


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


class BadForm(Exception):
    """A form body that is not UTF-8 (after percent-decoding), or that carries a file."""

    def __init__(self, reason: str = "not_utf8") -> None:
        super().__init__(reason)
        self.reason = reason


async def bad_form(request: Request, exc: Exception) -> Response:
    """The answer to a form body that is not UTF-8 or carries a file: 400, nothing stored."""
    reason = exc.reason if isinstance(exc, BadForm) else "not_utf8"
    return _render(request, "message.html", 400, account=None,
                   message=TEXT[_language(request)][reason])


async def _form(request: Request) -> FormData | None:
    """The submitted form, or ``None`` when its CSRF token does not match the cookie.

    Raises
    ------
    BadForm
        A body whose values are not UTF-8: answered 400 rather than stored with replacement
        characters (URL-encoded) or as Latin-1 mojibake (multipart, where the parser falls back
        to Latin-1); or a multipart form with a file in it, which no form of the service has,
        answered 400 rather than dropped without a word.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            parse_qsl((await request.body()).decode("ascii"), keep_blank_values=True,
                      encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadForm from exc
    elif media == "multipart/form-data":
        try:
            (await request.body()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadForm from exc
    try:
        form = await request.form()
    except Exception:
        return None
    if any(not isinstance(value, str) for _, value in form.multi_items()):
        await form.close()
        raise BadForm("no_files")
    if not csrf_ok(request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)):
        return None
    return form


def _csrf_failed(request: Request) -> HTMLResponse:
    return _render(request, "message.html", 403, account=None,
                   message=TEXT[_language(request)]["csrf"])


async def _account(request: Request) -> Account | None:
    return await run_in_threadpool(web_account, request)


@router.get("/")
async def home(request: Request) -> Response:
    return _to("/roles" if await _account(request) else "/login")


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _render(request, "login.html", account=None, error=None, name="")


@router.post("/login")
async def login(request: Request) -> Response:
    state = get_state(request)
    form = await _form(request)
    if form is None:
        return _csrf_failed(request)
    name = str(form.get("account", ""))[:200]
    password = str(form.get("password", ""))[:1000]
    t = TEXT[_language(request)]
    client = request.client.host if request.client else "-"
    device = request.cookies.get(DEVICE_COOKIE)
    keys = state.limiter.keys(client, name, device)
    wait = state.limiter.blocked(*keys)
    if wait > 0:
        response = _render(request, "login.html", 429, account=None, name=name,
                           error=t["login_limited"].format(seconds=int(wait) + 1))
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    account = await run_in_threadpool(state.repository.account_by_password, name, password)
    if account is None:
        state.limiter.failed(*keys)
        return _render(request, "login.html", 401, account=None, name=name,
                       error=t["login_failed"])
    session = await run_in_threadpool(
        state.repository.new_session, account, timedelta(hours=state.settings.session_hours))
    redirect = _to("/roles")
    redirect.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict",
                        secure=state.settings.secure_cookies, path="/",
                        max_age=int(state.settings.session_hours * 3600))
    if not device or len(device) != len(new_csrf_token()):
        device = new_csrf_token()
        redirect.set_cookie(DEVICE_COOKIE, device, httponly=True, samesite="strict",
                            secure=state.settings.secure_cookies, path="/login",
                            max_age=365 * 24 * 3600)
    state.limiter.trust(device, account.name)
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _csrf_failed(request)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await run_in_threadpool(get_state(request).repository.end_session, session)
    response = _to("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/roles")
async def roles_page(request: Request, offset: OffsetQuery = 0) -> Response:
    account = await _account(request)
    if account is None:
        return _to("/login")
    offset = max(offset, 0)
    items, total = await run_in_threadpool(
        get_state(request).repository.list_roles, account, limit=100, offset=offset)
    return _render(request, "roles.html", account=account, roles=items, total=total,
                   offset=offset, notice=None)


def _blank_cells() -> dict[str, str]:
    return dict.fromkeys(FIELDS, "")


def _cells_from_form(form: FormData) -> dict[str, str | None]:
    cells: dict[str, str | None] = {}
    for name in FIELDS:
        value = form.get(name)
        cells[name] = value if isinstance(value, str) and value.strip() else None
    return cells


@router.get("/roles/new")
async def new_role_page(request: Request) -> Response:
    account = await _account(request)
    if account is None:
        return _to("/login")
    if account.is_caseworker:
        return _to("/roles")
    return _render(request, "role_form.html", account=account, role=None, values=_blank_cells(),
                   errors={})


async def _save(request: Request, account: Account, record: RoleRecord | None) -> Response:
    form = await _form(request)
    if form is None:
        return _csrf_failed(request)
    state = get_state(request)
    cells = _cells_from_form(form)
    values = {k: v or "" for k, v in cells.items()}
    try:
        fields = check_role(to_cells(cells), account.name)
    except RoleInvalid as exc:
        lang = _language(request)
        errors: dict[str, list[tuple[str, str]]] = {}
        for p in exc.problems:
            text = rule_text(p.field, p.rule, p.value, lang)
            errors.setdefault(p.field, []).append((text, p.message))
        return _render(request, "role_form.html", 422, account=account, role=record,
                       values=values, errors=errors)
    if record is None:
        saved = await run_in_threadpool(state.repository.create_role, account, fields)
    else:
        try:
            updated = await run_in_threadpool(state.repository.update_role, account,
                                              record.pk, lambda _old: fields)
        except RoleClosed:
            updated = None
        if updated is None:
            return _not_found(request, account)
        saved = updated
    return _to(f"/roles/{saved.role_id}?saved=1")


@router.post("/roles/new")
async def new_role(request: Request) -> Response:
    account = await _account(request)
    if account is None:
        return _to("/login")
    if account.is_caseworker:
        return _to("/roles")
    return await _save(request, account, None)


def _not_found(request: Request, account: Account | None) -> HTMLResponse:
    return _render(request, "message.html", 404, account=account, message="404")


async def _own(request: Request, role_id: str) -> tuple[Account | None, RoleRecord | None]:
    account = await _account(request)
    pk = parse_role_id(role_id)
    if account is None or pk is None:
        return account, None
    record = await run_in_threadpool(get_state(request).repository.get_role, account, pk)
    return account, record


@router.get("/roles/{role_id}")
async def role_page(request: Request, role_id: str) -> Response:
    account, record = await _own(request, role_id)
    if account is None:
        return _to("/login")
    if record is None:
        return _not_found(request, account)
    state: ServiceState = get_state(request)
    lang = _language(request)

    def work() -> tuple[dict[str, Any], list[Any]]:
        described = describe_terms(record.fields, state.taxonomy, names=lang)
        history, _ = state.repository.history(account, record.pk, limit=1000)
        return described, history

    described, history = await run_in_threadpool(work)
    return _render(request, "role.html", account=account, role=record,
                   described=described, history=history,
                   saved=request.query_params.get("saved") == "1")


@router.get("/roles/{role_id}/edit")
async def edit_role_page(request: Request, role_id: str) -> Response:
    account, record = await _own(request, role_id)
    if account is None:
        return _to("/login")
    if record is None or account.is_caseworker or record.status != "open":
        return _not_found(request, account)
    values = {k: v or "" for k, v in typed_to_cells(record.fields).items()}
    return _render(request, "role_form.html", account=account, role=record, values=values,
                   errors={})


@router.post("/roles/{role_id}/edit")
async def edit_role(request: Request, role_id: str) -> Response:
    account, record = await _own(request, role_id)
    if account is None:
        return _to("/login")
    if record is None or account.is_caseworker or record.status != "open":
        return _not_found(request, account)
    return await _save(request, account, record)


@router.post("/roles/{role_id}/close")
async def close_role(request: Request, role_id: str) -> Response:
    account, record = await _own(request, role_id)
    if account is None:
        return _to("/login")
    if record is None or account.is_caseworker:
        return _not_found(request, account)
    form = await _form(request)
    if form is None:
        return _csrf_failed(request)
    await run_in_threadpool(get_state(request).repository.close_role, account, record.pk)
    return _to(f"/roles/{record.role_id}")


@router.get("/history")
async def history_page(request: Request, offset: OffsetQuery = 0) -> Response:
    account = await _account(request)
    if account is None:
        return _to("/login")
    offset = max(offset, 0)
    entries, total = await run_in_threadpool(
        get_state(request).repository.history, account, None, limit=100, offset=offset)
    return _render(request, "history.html", account=account, history=entries, total=total,
                   offset=offset)


@router.get("/export.csv")
async def export(request: Request) -> Response:
    account = await _account(request)
    if account is None:
        return _to("/login")
    if not account.is_caseworker:
        return _not_found(request, account)
    data = await run_in_threadpool(export_csv, get_state(request))
    return Response(content=data, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="roles.csv"'})
