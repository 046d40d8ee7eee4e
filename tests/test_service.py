"""The role posting service over HTTP: API, tenancy, bad input, web form, CLI, export.

Every API test runs over SQLite and over PostgreSQL 15: a throwaway cluster is initialised in a
temporary folder and started on a free loopback port for this module, and stopped at the end.
The PostgreSQL half is skipped only where the server binaries are absent.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.io import ROLE_SCHEMA, read_table, validate_roles
from matcher.service import ServiceSettings, create_app
from matcher.service.repository import Repository
from matcher.service.roles import FIELDS

with warnings.catch_warnings():
    # Starlette's TestClient warns about its own httpx dependency on import (third-party code).
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SAMPLE_ROLE = {
    "title": "Birøkter i opplæring", "occupation": "birøktere",
    "skills_trained": ["breed insects", "process harvested honey"], "slots": 2, "hours": 30,
    "lat": 59.664, "lon": 10.785, "languages": "no;en;ar", "offers": ["fleksibel arbeidstid"],
    "permanent": True, "form": "employment",
}


# --- a throwaway PostgreSQL cluster ------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """The URL of a fresh PostgreSQL 15 server on 127.0.0.1, stopped after the module."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 server binaries are absent ({PG_BIN}); "
                    "apt-get install -y postgresql-15")
    folder = Path(tempfile.mkdtemp(prefix="matcher-pg-", dir="/tmp"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = _free_port()
    subprocess.run([*as_postgres, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                    str(folder / "log"), "-o", f"-p {port} -k {folder} -h 127.0.0.1 -F",
                    "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_db(postgres: str) -> str:
    """One database on the throwaway server, migrated once for the module."""
    import psycopg

    name = f"matcher_test_{os.getpid()}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = postgres.rsplit("/", 1)[0] + f"/{name}"
    Repository(url).dispose()
    return url


def _emptied(url: str) -> str:
    """The database at ``url`` with every table emptied and ids restarted (faster than a new
    database per test)."""
    repository = Repository(url, migrate=False)
    try:
        with repository.engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE web_sessions, role_history, roles, accounts "
                                       "RESTART IDENTITY CASCADE")
    finally:
        repository.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roles.db'}"
    return _emptied(request.getfixturevalue("postgres_db"))


class Service:
    """A running app, its accounts' tokens, and helpers to call it."""

    def __init__(self, client: TestClient, repository: Repository) -> None:
        self.client = client
        self.repository = repository
        self.tokens: dict[str, str] = {}

    def account(self, name: str, kind: str = "enterprise", password: str | None = None) -> str:
        _, token = self.repository.add_account(name, kind)
        if password:
            self.repository.set_password(name, password)
        self.tokens[name] = token
        return token

    def call(self, method: str, path: str, who: str, **kwargs: Any) -> Any:
        headers = {"authorization": f"Bearer {self.tokens[who]}", **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def post_role(self, who: str, **fields: Any) -> dict[str, Any]:
        answer = self.call("POST", "/api/roles", who, json={**SAMPLE_ROLE, **fields})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


@contextlib.contextmanager
def running(url: str, **settings: Any) -> Iterator[Service]:
    app = create_app(ServiceSettings(db=url, **settings))
    with TestClient(app) as client:
        yield Service(client, app.state.service.repository)


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    with running(db_url) as s:
        s.account("Bikuben", password="honning-er-godt")
        s.account("Symaskinen")
        s.account("NAV Grünerløkka", "caseworker", password="saksbehandler")
        yield s


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'roles.db'}") as service:
        yield service


_enterprises = itertools.count()


# --- the API -------------------------------------------------------------------------------


def test_post_role_answers_201_with_server_ids_and_resolved_terms(service: Service) -> None:
    answer = service.call("POST", "/api/roles", "Bikuben",
                          json={**SAMPLE_ROLE, "enterprise": "Someone else", "role_id": "X1"})
    assert answer.status_code == 201
    role = answer.json()
    assert role["role_id"].startswith("R") and role["role_id"] != "X1"
    assert role["enterprise"] == "Bikuben"
    assert answer.headers["location"] == f"/api/roles/{role['role_id']}"
    assert role["languages"] == ["no", "en", "ar"] and role["permanent"] is True
    assert role["terms"]["occupation"][0]["label"] == "bee breeder"
    assert role["warnings"] == []
    # committed before the answer: a second connection sees it
    other = Repository(service.repository.url)
    try:
        assert other.open_roles()["role_id"].to_list() == [role["role_id"]]
    finally:
        other.dispose()


def test_unresolved_term_is_kept_and_comes_back_with_suggestions(service: Service) -> None:
    role = service.post_role("Bikuben", skills_trained=["breed insects", "slynging av honnig"],
                             offers="stille arbeidsplass;gratis kaffe")
    assert role["skills_trained"] == ["breed insects", "slynging av honnig"]
    warned = {(w["field"], w["term"]): w for w in role["warnings"]}
    assert set(warned) == {("skills_trained", "slynging av honnig"), ("offers", "gratis kaffe")}
    assert warned[("skills_trained", "slynging av honnig")]["suggestions"]
    assert warned[("offers", "gratis kaffe")]["message"].startswith(
        "role column 'offers': unknown adaptation")


def test_list_is_paginated_and_holds_only_own_roles(service: Service) -> None:
    mine = [service.post_role("Bikuben", title=f"rolle {i}")["role_id"] for i in range(5)]
    service.post_role("Symaskinen")
    page = service.call("GET", "/api/roles", "Bikuben", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5
    assert [r["role_id"] for r in page["items"]] == mine[1:3]
    everything = service.call("GET", "/api/roles", "Bikuben").json()
    assert [r["role_id"] for r in everything["items"]] == mine
    for limit in (0, 1001, "x"):
        assert service.call("GET", "/api/roles", "Bikuben",
                            params={"limit": limit}).status_code == 422
    assert service.call("GET", "/api/roles", "Bikuben", params={"offset": -1}).status_code == 422


def test_patch_close_and_history(service: Service) -> None:
    role = service.post_role("Bikuben")
    path = f"/api/roles/{role['role_id']}"
    patched = service.call("PATCH", path, "Bikuben", json={"slots": 4, "hours": "20"})
    assert patched.status_code == 200
    assert (patched.json()["slots"], patched.json()["hours"]) == (4, 20.0)
    assert patched.json()["title"] == SAMPLE_ROLE["title"]  # untouched fields stay
    bad = service.call("PATCH", path, "Bikuben", json={"slots": -1})
    assert bad.status_code == 422
    assert service.call("GET", path, "Bikuben").json()["slots"] == 4
    closed = service.call("POST", f"{path}/close", "Bikuben")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert service.call("PATCH", path, "Bikuben", json={"slots": 1}).status_code == 409
    history = service.call("GET", f"{path}/history", "NAV Grünerløkka").json()["items"]
    assert [h["action"] for h in history] == ["create", "update", "close"]
    assert {h["account"] for h in history} == {"Bikuben"}
    assert history[1]["changes"] == {"slots": {"from": 2, "to": 4},
                                     "hours": {"from": 30.0, "to": 20.0}}
    assert all(h["at"] for h in history)
    everything = service.call("GET", "/api/history", "NAV Grünerløkka").json()
    assert everything["total"] == 3


def test_concurrent_partial_updates_lose_nothing(service: Service) -> None:
    import threading

    role = service.post_role("Bikuben", slots=1, hours=1)
    path = f"/api/roles/{role['role_id']}"
    rounds = 15

    def patch(field: str) -> None:
        for n in range(1, rounds + 1):
            answer = service.call("PATCH", path, "Bikuben", json={field: n})
            assert answer.status_code == 200

    threads = [threading.Thread(target=patch, args=(f,)) for f in ("slots", "hours")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = service.call("GET", path, "Bikuben").json()
    assert (final["slots"], final["hours"]) == (rounds, float(rounds))
    history = service.call("GET", f"{path}/history", "Bikuben").json()
    assert history["total"] == 1 + 2 * (rounds - 1)  # each change once; n=1 changed nothing


def test_caseworker_reads_open_roles_of_everyone_and_exports(service: Service) -> None:
    a = service.post_role("Bikuben")
    b = service.post_role("Symaskinen", title="Syerske", occupation="symaskinoperatør")
    c = service.post_role("Symaskinen", title="lukket")
    service.call("POST", f"/api/roles/{c['role_id']}/close", "Symaskinen")
    listed = service.call("GET", "/api/roles", "NAV Grünerløkka").json()
    assert [r["role_id"] for r in listed["items"]] == [a["role_id"], b["role_id"]]
    assert service.call("GET", f"/api/roles/{c['role_id']}", "NAV Grünerløkka").status_code == 404
    for method, path, body in [("POST", "/api/roles", SAMPLE_ROLE),
                               ("PATCH", f"/api/roles/{a['role_id']}", {"slots": 1}),
                               ("POST", f"/api/roles/{a['role_id']}/close", None)]:
        answer = service.call(method, path, "NAV Grünerløkka", json=body)
        assert answer.status_code == 403, (method, path)
    csv = service.call("GET", "/api/export", "NAV Grünerløkka")
    assert csv.status_code == 200
    frame = pl.read_csv(csv.content, infer_schema=False)
    assert frame.columns == ROLE_SCHEMA.names
    assert frame["role_id"].to_list() == [a["role_id"], b["role_id"]]
    assert service.call("GET", "/api/export", "Bikuben").status_code == 403


def test_terms_autocomplete(service: Service) -> None:
    answer = service.call("GET", "/api/terms", "Bikuben", params={"q": "birøk"}).json()
    assert "birøkter" in [i["label"] for i in answer["items"]]
    skill = service.call("GET", "/api/terms", "Bikuben",
                         params={"q": "breed ins", "kind": "skill"}).json()
    assert "breed insects" in [i["label"] for i in skill["items"]]
    unresolved = service.call("GET", "/api/terms", "Bikuben", params={"q": "birøktr"}).json()
    assert unresolved["resolution"]["label"] == "bee breeder"
    assert service.call("GET", "/api/terms", "Bikuben",
                        params={"q": "x", "kind": "planet"}).status_code == 422


def test_authentication_is_required(service: Service) -> None:
    assert service.client.get("/api/roles").status_code == 401
    bad = service.client.get("/api/roles", headers={"authorization": "Bearer 1.wrong"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    token = service.tokens["Bikuben"]
    forged = token.split(".")[0] + "." + token.split(".")[1][::-1]
    assert service.client.get("/api/roles",
                              headers={"authorization": f"Bearer {forged}"}).status_code == 401
    assert service.client.get("/healthz").json() == {"status": "ok"}


# --- tenancy: every verb on another enterprise's role answers 404 --------------------------

API_VERBS = [
    ("GET", "/api/roles/{id}", None),
    ("PATCH", "/api/roles/{id}", {"slots": 9}),
    ("PATCH", "/api/roles/{id}", {"slots": -1}),
    ("POST", "/api/roles/{id}/close", None),
    ("GET", "/api/roles/{id}/history", None),
]
WEB_VERBS = [
    ("GET", "/roles/{id}"), ("GET", "/roles/{id}/edit"), ("POST", "/roles/{id}/edit"),
    ("POST", "/roles/{id}/close"),
]


def test_tenancy_matrix_every_verb_on_anothers_role_is_404(service: Service) -> None:
    service.account("Gjenbruk", password="gjenbruk-passord")
    owners = ["Bikuben", "Symaskinen", "Gjenbruk"]
    roles = {owner: service.post_role(owner, title=f"{owner} rolle") for owner in owners}
    before = {o: service.call("GET", f"/api/roles/{r['role_id']}", o).json()
              for o, r in roles.items()}
    checked = 0
    for who, owner in itertools.permutations(owners, 2):
        role_id = roles[owner]["role_id"]
        for method, template, body in API_VERBS:
            answer = service.call(method, template.format(id=role_id), who, json=body)
            assert answer.status_code == 404, (who, owner, method, template)
            assert answer.json() == {"detail": "role not found"}
            checked += 1
        listed = service.call("GET", "/api/roles", who).json()["items"]
        assert role_id not in [r["role_id"] for r in listed]
    # the same answer as a role that does not exist, and as a malformed id
    for role_id in ("R999999", "nonsense", "R1;DROP"):
        for method, template, body in API_VERBS:
            assert service.call(method, template.format(id=role_id), "Bikuben",
                                json=body).status_code == 404
    # the web form: log in as Bikuben, try every verb on the others' roles
    web = service.client
    _login(web, "Bikuben", "honning-er-godt")
    csrf = web.cookies["matcher_csrf"]
    for owner in ("Symaskinen", "Gjenbruk"):
        for method, template in WEB_VERBS:
            data = {"csrf": csrf, "slots": "9"} if method == "POST" else None
            answer = web.request(method, template.format(id=roles[owner]["role_id"]), data=data)
            assert answer.status_code == 404, (owner, method, template)
            checked += 1
    assert checked == 6 * len(API_VERBS) + 2 * len(WEB_VERBS)
    after = {o: service.call("GET", f"/api/roles/{r['role_id']}", o).json()
             for o, r in roles.items()}
    assert after == before


# --- bad input -----------------------------------------------------------------------------

BAD_VALUES: list[tuple[str, Any, str]] = [
    ("title", "x" * 201, "must be at most 200 characters"),
    ("title", {"a": 1}, "must be a text"),
    ("title", 5, "must be a text"),
    ("occupation", ["birøkter"], "must be a text"),
    ("occupation", "a\x00b", "must not contain NUL characters"),
    ("occupation", "a\ud800b", "must be valid Unicode text (UTF-8)"),
    ("skills_required", [1, 2], "must be a ';'-separated text or a list of texts"),
    ("skills_required", {"x": 1}, "must be a ';'-separated text or a list of texts"),
    ("skills_trained", ["s"] * 51, "must have at most 50 items"),
    ("skills_trained", "x" * 201, "must be at most 200 characters"),
    ("slots", -1, ROLE_SCHEMA.column("slots").rule),
    ("slots", -2, ROLE_SCHEMA.column("slots").rule),
    ("slots", 2.5, ROLE_SCHEMA.column("slots").rule),
    ("slots", "to", ROLE_SCHEMA.column("slots").rule),
    ("slots", True, ROLE_SCHEMA.column("slots").rule),
    ("slots", None, "must not be empty"),
    ("slots", "", "must not be empty"),
    ("hours", 0, ROLE_SCHEMA.column("hours").rule),
    ("hours", 169, ROLE_SCHEMA.column("hours").rule),
    ("hours", "mange", ROLE_SCHEMA.column("hours").rule),
    ("hours", "NaN", ROLE_SCHEMA.column("hours").rule),
    ("lat", 91, ROLE_SCHEMA.column("lat").rule),
    ("lat", "nord", ROLE_SCHEMA.column("lat").rule),
    ("lon", -181, ROLE_SCHEMA.column("lon").rule),
    ("lon", [1], ROLE_SCHEMA.column("lon").rule),
    ("lon", "10.5.1", ROLE_SCHEMA.column("lon").rule),
    ("languages", "no;blablabla", ROLE_SCHEMA.column("languages").rule),
    ("languages", [None], "must be a ';'-separated text or a list of texts"),
    ("offers", 5.5, "must be a ';'-separated text or a list of texts"),
    ("offers", ["a;b"], "must not contain ';' inside a list item"),
    ("languages", ["no", "xx"], ROLE_SCHEMA.column("languages").rule),
    ("slots", 2**31, "must be at most 2147483647"),
    ("offers", {"quiet": True}, "must be a ';'-separated text or a list of texts"),
    ("permanent", "kanskje", ROLE_SCHEMA.column("permanent").rule),
    ("permanent", 2, ROLE_SCHEMA.column("permanent").rule),
    ("form", "gift", ROLE_SCHEMA.column("form").rule),
    ("colour", "blue", "is not a role field"),
]


def test_every_field_has_bad_values_and_a_test_for_each() -> None:
    assert set(FIELDS) <= {field for field, _, _ in BAD_VALUES}


@pytest.mark.parametrize(("field", "value", "rule"), BAD_VALUES,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_VALUES)])
def test_bad_value_answers_422_naming_field_rule_and_value(
    field: str, value: Any, rule: str | None, shared_service: Service,
) -> None:
    service = shared_service
    account = f"Enterprise {next(_enterprises)}"  # a fresh one: its role list starts empty
    service.account(account)
    body = {**SAMPLE_ROLE, field: value}
    if value is None:
        body.pop(field)
    # json.dumps escapes non-ASCII, so a lone surrogate travels as JSON "\ud800"
    answer = service.call("POST", "/api/roles", account, content=json.dumps(body),
                          headers={"content-type": "application/json"})
    if rule is None:
        assert answer.status_code == 201
        return
    assert answer.status_code == 422, answer.text
    problems = answer.json()["problems"]
    assert [p["field"] for p in problems] == [field]
    assert problems[0]["rule"].startswith(rule)
    assert problems[0]["message"].startswith(f"role column '{field}': {rule}")
    if field in FIELDS and rule == ROLE_SCHEMA.column(field).rule:
        # the same words and value as `matcher match` reading this cell from a CSV
        cell = problems[0]["value"]
        raw = pl.DataFrame({"role_id": ["R1"], "enterprise": ["E"], "slots": ["1"],
                            field: [cell]})
        with pytest.raises(ValueError) as cli_error:
            validate_roles(raw, "roles.csv")
        assert f"column '{field}': {rule}, got {cell!r}" in str(cli_error.value)
    assert service.call("GET", "/api/roles", account).json()["total"] == 0


def test_many_problems_are_all_listed(service: Service) -> None:
    answer = service.call("POST", "/api/roles", "Bikuben",
                          json={"slots": "-1", "hours": 500, "lat": 59.9, "form": "x"})
    assert answer.status_code == 422
    fields = sorted(p["field"] for p in answer.json()["problems"])
    assert fields == ["form", "hours", "lon", "slots"]


@pytest.mark.parametrize(("body", "headers", "status"), [
    (b"{" + b'"title": "' + b"x" * 70_000 + b'"}', {"content-type": "application/json"}, 413),
    (b'{"title": "\xff\xfe", "slots": 1}', {"content-type": "application/json"}, 400),
    (b'{"title": ', {"content-type": "application/json"}, 400),
    (b"[1, 2]", {"content-type": "application/json"}, 422),
    (b"slots=1", {"content-type": "application/x-www-form-urlencoded"}, 415),
], ids=["oversize", "non-utf8", "not-json", "not-object", "not-json-type"])
def test_bodies_that_are_not_a_role(shared_service: Service, body: bytes,
                                    headers: dict[str, str], status: int) -> None:
    account = f"Enterprise {next(_enterprises)}"
    shared_service.account(account)
    answer = shared_service.call("POST", "/api/roles", account, content=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert shared_service.call("GET", "/api/roles", account).json()["total"] == 0


def test_oversize_body_is_refused_while_streaming(service: Service) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'", "slots": 1}'

    answer = service.call("POST", "/api/roles", "Bikuben", content=chunks(),
                          headers={"content-type": "application/json"})
    assert answer.status_code == 413


INJECTIONS = [
    "'); DROP TABLE roles; --",
    "\" OR 1=1 --",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "Robert'); DELETE FROM accounts; -- & <b>bold</b>",
]


def test_injection_strings_are_stored_verbatim_and_rendered_escaped(service: Service) -> None:
    ids = []
    for text in INJECTIONS:
        role = service.post_role("Bikuben", title=text, occupation=text,
                                 skills_required=[text.replace(";", ",")])
        ids.append(role["role_id"])
        stored = service.call("GET", f"/api/roles/{role['role_id']}", "Bikuben").json()
        assert stored["title"] == text and stored["occupation"] == text
    csv = service.call("GET", "/api/export", "NAV Grünerløkka").content
    exported = pl.read_csv(csv, infer_schema=False)
    # stored verbatim; in the CSV a ';'-separated part that starts like a formula gets a "'"
    assert exported["title"].to_list() == [t.replace("; --", "; '--") for t in INJECTIONS]
    _login(service.client, "Bikuben", "honning-er-godt")
    listing = service.client.get("/roles").text
    page = service.client.get(f"/roles/{ids[2]}").text
    for html in (listing, page):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert service.call("GET", "/api/roles", "Bikuben").json()["total"] == len(INJECTIONS)


# --- the web form ----------------------------------------------------------------------------


def _login(client: TestClient, name: str, password: str) -> Any:
    client.get("/login")
    return client.post("/login", data={"account": name, "password": password,
                                       "csrf": client.cookies["matcher_csrf"]},
                       follow_redirects=False)


def test_web_form_posts_shows_errors_beside_fields_edits_and_closes(service: Service) -> None:
    web = service.client
    assert web.get("/roles", follow_redirects=False).headers["location"] == "/login"
    assert _login(web, "Bikuben", "honning-er-godt").status_code == 303
    csrf = web.cookies["matcher_csrf"]
    form = {"csrf": csrf, "title": "Birøkter", "occupation": "birøktere", "slots": "-1",
            "languages": "no;xx", "permanent": "true"}
    bad = web.post("/roles/new", data=form)
    assert bad.status_code == 422
    assert 'id="e-slots"' in bad.text and 'id="e-languages"' in bad.text
    assert 'aria-describedby="e-slots"' in bad.text
    assert "must be an integer &gt;= 0, got &#39;-1&#39;" in bad.text
    assert "må være et helt tall, 0 eller mer, fikk &#39;-1&#39;" in bad.text  # page language
    assert 'value="Birøkter"' in bad.text  # what was typed is kept
    good = web.post("/roles/new", data={**form, "slots": "2", "languages": "no"},
                    follow_redirects=False)
    assert good.status_code == 303
    role_path = good.headers["location"].split("?")[0]
    role_id = role_path.rsplit("/", 1)[1]
    # committed before the 303
    assert service.repository.open_roles()["role_id"].to_list() == [role_id]
    assert role_id in web.get("/roles").text
    edited = web.post(f"{role_path}/edit", data={**form, "slots": "3", "languages": "no"},
                      follow_redirects=False)
    assert edited.status_code == 303
    assert service.call("GET", f"/api/roles/{role_id}", "Bikuben").json()["slots"] == 3
    assert web.post(f"{role_path}/close", data={"csrf": csrf},
                    follow_redirects=False).status_code == 303
    assert service.call("GET", f"/api/roles/{role_id}", "Bikuben").json()["status"] == "closed"
    page = web.get(role_path).text
    assert "create" in page and "update" in page and "close" in page


def test_web_role_page_shows_unresolved_terms_with_suggestions(service: Service) -> None:
    web = service.client
    _login(web, "Bikuben", "honning-er-godt")
    saved = web.post("/roles/new?lang=no", data={
        "csrf": web.cookies["matcher_csrf"], "occupation": "birøktere", "slots": "1",
        "skills_trained": "breed insects;slynging av honnig"})
    assert saved.status_code == 200  # after the 303
    assert "Stillingen er lagret." in saved.text
    assert "slynging av honnig" in saved.text and "nærmeste" in saved.text
    driver = web.post("/roles/new?lang=no", data={
        "csrf": web.cookies["matcher_csrf"], "occupation": "sjåfør", "slots": "1"})
    assert "sjåfør" in driver.text and "lastebilsjåfør" in driver.text  # Norwegian names


def test_suggestions_are_named_in_the_pages_language(taxonomy) -> None:
    """On the Norwegian pages a term not recognised gets ESCO's Norwegian names and the
    adaptations' Norwegian words as suggestions (the same concepts as in English, in order);
    the API stays English."""
    from matcher.service.roles import describe_terms

    fields = {"occupation": "sjåfør", "offers": ["rullestolsadgang til kontoret"]}
    english = describe_terms(fields, taxonomy)
    norwegian = describe_terms(fields, taxonomy, names="no")
    job = english["terms"]["occupation"][0]
    named = norwegian["terms"]["occupation"][0]["suggestions"]
    assert "cargo vehicle driver" in job["suggestions"] and "lastebilsjåfør" in named
    assert not set(named) & set(job["suggestions"])
    resolution = taxonomy.resolve("sjåfør", "occupation")
    assert named == [taxonomy.concept_name(u, "no") for u in resolution.candidates][:len(named)]
    offer = norwegian["terms"]["offers"][0]
    assert offer["resolved"] is False and "rullestoltilgang" in offer["suggestions"]
    assert "wheelchair access" in english["terms"]["offers"][0]["suggestions"]


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    with running(f"sqlite:///{tmp_path / 'r.db'}") as service:
        assert service.client.get("/healthz").status_code == 200
        service.repository.engine = create_engine(
            "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
        answer = service.client.get("/healthz")
        assert answer.status_code == 503 and answer.json() == {"status": "database unreachable"}


def test_serve_refuses_bad_settings_before_starting(tmp_path: Path) -> None:
    code, _, err = _run("serve", "--db", str(tmp_path / "r.db"), "--max-body-bytes", "10")
    assert code == 2 and "'max_body_bytes'" in err


def test_web_form_is_norwegian_and_english(service: Service) -> None:
    web = service.client
    assert "Logg inn" in web.get("/login").text
    assert "Log in" in web.get("/login?lang=en").text
    assert "Log in" in web.get("/login").text  # remembered
    web.cookies.delete("matcher_lang")
    assert "Log in" in web.get("/login", headers={"accept-language": "en-GB,en"}).text
    assert "Logg inn" in web.get("/login", headers={"accept-language": "nb-NO"}).text
    _login(web, "Bikuben", "honning-er-godt")
    new = web.get("/roles/new?lang=no").text
    for label in ("Antall plasser", "Ferdigheter vi lærer opp i", "Tilrettelegging som tilbys"):
        assert label in new
    assert '<label for="f-slots">' in new


def test_web_form_is_danish_for_a_danish_browser_with_errors_in_danish(service: Service) -> None:
    web = service.client
    page = web.get("/login", headers={"accept-language": "da-DK,da;q=0.9"}).text
    assert "Log ind" in page and '<html lang="da">' in page
    assert 'href="/login?lang=no"' in page and 'href="/login?lang=en"' in page
    assert 'href="/login?lang=da"' not in page  # no link to the page's own language
    assert "Log ind" in web.get("/login?lang=da").text
    assert "Log ind" in web.get("/login").text  # remembered
    _login(web, "Bikuben", "honning-er-godt")
    new = web.get("/roles/new").text
    for label in ("Antal pladser", "Kompetencer vi oplærer i", "Tilpasninger, der tilbydes"):
        assert label in new
    form = {"csrf": web.cookies["matcher_csrf"], "title": "Biavler", "slots": "-1",
            "lat": "55,7"}
    bad = web.post("/roles/new", data=form)
    assert bad.status_code == 422
    assert "skal være et helt tal, 0 eller mere, fik &#39;-1&#39;" in bad.text
    assert "skal udfyldes sammen med »lat«" in bad.text
    assert "must be an integer &gt;= 0, got &#39;-1&#39;" in bad.text  # matcher match's words


@pytest.mark.parametrize("body", [b"slots=2&title=%FF%FE", b"slots=2&title=\xff\xfe",
                                  b"slots=2&title=a%00b"], ids=["percent", "raw", "nul"])
def test_web_form_refuses_bodies_that_are_not_utf8_text(shared_service: Service,
                                                        body: bytes) -> None:
    account = f"Enterprise {next(_enterprises)}"
    shared_service.account(account, password="et passord")
    web = shared_service.client
    _login(web, account, "et passord")
    answer = web.post("/roles/new", content=body + b"&csrf=" + web.cookies["matcher_csrf"].encode(),
                      headers={"content-type": "application/x-www-form-urlencoded"},
                      follow_redirects=False)
    assert answer.status_code in (400, 422)
    assert shared_service.call("GET", "/api/roles", account).json()["total"] == 0


def test_caseworker_web_pages_list_everyone_history_and_export(service: Service) -> None:
    role = service.post_role("Symaskinen", title="Syerske")
    service.call("PATCH", f"/api/roles/{role['role_id']}", "Symaskinen", json={"slots": 1})
    web = service.client
    _login(web, "NAV Grünerløkka", "saksbehandler")
    listing = web.get("/roles").text
    assert "Syerske" in listing and "Symaskinen" in listing and "/roles/new" not in listing
    history = web.get("/history").text
    assert role["role_id"] in history and "update: slots" in history
    export = web.get("/export.csv")
    assert export.status_code == 200 and "Syerske" in export.text
    assert web.get(f"/roles/{role['role_id']}/edit").status_code == 404
    _login(web, "Bikuben", "honning-er-godt")
    assert "Syerske" not in web.get("/history").text
    assert web.get("/export.csv").status_code == 404


def test_csrf_is_required_on_every_form(service: Service) -> None:
    web = service.client
    web.get("/login")
    assert web.post("/login", data={"account": "Bikuben",
                                    "password": "honning-er-godt"}).status_code == 403
    assert web.post("/login", data={"account": "Bikuben", "password": "honning-er-godt",
                                    "csrf": "forged"}).status_code == 403
    _login(web, "Bikuben", "honning-er-godt")
    role = service.post_role("Bikuben")
    for path in ("/roles/new", f"/roles/{role['role_id']}/edit",
                 f"/roles/{role['role_id']}/close", "/logout"):
        answer = web.post(path, data={"csrf": "forged", "slots": "1"}, follow_redirects=False)
        assert answer.status_code == 403, path
    assert service.call("GET", "/api/roles", "Bikuben").json()["total"] == 1
    assert service.call("GET", f"/api/roles/{role['role_id']}",
                        "Bikuben").json()["status"] == "open"


def test_login_is_rate_limited(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path / 'r.db'}", login_attempts=3) as service:
        service.account("Bikuben", password="honning-er-godt")
        for _ in range(3):
            assert _login(service.client, "Bikuben", "feil").status_code == 401
        limited = _login(service.client, "Bikuben", "honning-er-godt")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_security_headers_on_every_kind_of_answer(service: Service) -> None:
    answers = [service.client.get("/login"), service.client.get("/healthz"),
               service.call("GET", "/api/roles", "Bikuben"), service.client.get("/api/roles"),
               service.client.get("/static/style.css")]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["referrer-policy"] == "no-referrer"
    cookie = answers[0].headers.get("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


def test_logs_carry_ids_and_counts_only(service: Service, caplog: pytest.LogCaptureFixture,
                                        ) -> None:
    caplog.set_level(logging.DEBUG)
    secret_title = "Kari Nordmann sin stilling"
    role = service.post_role("Bikuben", title=secret_title)
    service.call("GET", "/api/terms", "Bikuben", params={"q": "Ola Nordmann"})
    _login(service.client, "Bikuben", "honning-er-godt")
    # the service's own records (httpx, the test's client, logs its requests on its side)
    text = "\n".join(r.getMessage() for r in caplog.records
                     if r.name.startswith(("matcher", "uvicorn", "sqlalchemy", "alembic")))
    assert "POST /api/roles 201" in text
    for leaked in ("Nordmann", "Bikuben", service.tokens["Bikuben"], "honning", "testclient"):
        assert leaked not in text
    assert role["role_id"]


# --- command line, export and `matcher match` ---------------------------------------------


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_accounts_export_and_match_from_the_database(db_url: str, samples, tmp_path: Path,
                                                         ) -> None:
    code, out, _ = _run("accounts", "add", "Bikuben birøkterlag", "--db", db_url)
    assert code == 0
    line = json.loads(out)
    assert line["account"] == "Bikuben birøkterlag" and line["kind"] == "enterprise"
    code, out, err = _run("accounts", "add", "Bikuben birøkterlag", "--db", db_url)
    assert code == 2 and "exists already" in err
    code, _, _ = _run("accounts", "password", "Bikuben birøkterlag", "--db", db_url,
                      stdin="et langt passord\n")
    assert code == 0
    assert _run("accounts", "password", "Nobody", "--db", db_url, stdin="12345678\n")[0] == 2
    assert _run("accounts", "password", "Bikuben birøkterlag", "--db", db_url,
                stdin="kort\n")[0] == 2

    # post every sample role through the API, then export them and match from the database
    sample_roles = pl.read_csv(samples[1], infer_schema=False)
    with running(db_url) as service:
        service.tokens["Bikuben birøkterlag"] = line["token"]
        for row in sample_roles.iter_rows(named=True):
            body = {k: v for k, v in row.items() if k not in ("role_id", "enterprise")}
            service.post_role("Bikuben birøkterlag", **{k: v for k, v in body.items()})
    out_csv = tmp_path / "roles.csv"
    code, _, err = _run("roles", "export", "--db", db_url, "--out", str(out_csv))
    assert code == 0 and f"{sample_roles.height} open role(s)" in err
    exported = validate_roles(*read_table(out_csv))
    original = validate_roles(*read_table(samples[1]))
    assert exported.columns == original.columns
    fields = list(FIELDS)
    assert exported.select(fields).equals(original.select(fields))

    from_csv, from_db = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run("match", str(samples[0]), str(samples[1]), "--out", str(from_csv))[0] == 0
    assert _run("match", str(samples[0]), db_url, "--out", str(from_db))[0] == 0
    a, b = pl.read_csv(from_csv), pl.read_csv(from_db)
    assert a["score"].to_list() == b["score"].to_list()
    assert a["role_id"].null_count() == b["role_id"].null_count()


def test_cli_without_the_service_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matcher.service.repository", None)
    code, _, err = _run("accounts", "add", "X", "--db", str(tmp_path / "x.db"))
    assert code == 1 and "pip install 'matcher[service]'" in err


def test_migrations_build_the_schema_the_models_declare(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from matcher.service.models import metadata

    repository = Repository(db_url)
    try:
        assert repository.schema_revision() == "0003"
        Repository(db_url).dispose()  # migrating twice is a no-op
        with repository.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == []
    finally:
        repository.dispose()


def test_history_is_append_only_in_the_database(service: Service) -> None:
    from sqlalchemy.exc import DBAPIError

    service.post_role("Bikuben")
    for statement in ("UPDATE role_history SET action = 'x'", "DELETE FROM role_history"):
        with pytest.raises(DBAPIError, match="append-only"), \
                service.repository.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    history = service.call("GET", "/api/history", "NAV Grünerløkka").json()
    assert [h["action"] for h in history["items"]] == ["create"]


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    repository = Repository(str(tmp_path / "roles.db"))
    try:
        with repository.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        repository.dispose()


def test_a_roles_terms_are_resolved_once(taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Showing a role's terms resolves each distinct term of a column once, as a batch match
    does (before, each was resolved again to describe it)."""
    import matcher.terms
    from matcher.service.roles import describe_terms
    from matcher.taxonomy import Taxonomy

    resolved: list[str] = []
    adapted: list[str] = []
    one, many = Taxonomy.resolve, Taxonomy.resolve_many
    matched = matcher.terms.resolve_adaptation

    def resolve(self: Taxonomy, term: str, *args: Any, **kw: Any) -> Any:
        resolved.append(term)
        return one(self, term, *args, **kw)

    def resolve_many(self: Taxonomy, terms: Any, *args: Any, **kw: Any) -> Any:
        terms = list(terms)
        resolved.extend(terms)
        return many(self, terms, *args, **kw)

    def adaptation(term: str) -> Any:
        adapted.append(term)
        return matched(term)

    monkeypatch.setattr(Taxonomy, "resolve", resolve)
    monkeypatch.setattr(Taxonomy, "resolve_many", resolve_many)
    monkeypatch.setattr(matcher.terms, "resolve_adaptation", adaptation)
    fields = {"occupation": "kokk", "skills_required": ["kvxqzt", "communication"],
              "skills_trained": ["communication"], "offers": ["rullestoltilgang", "hund"]}
    described = describe_terms(fields, taxonomy)
    assert sorted(resolved) == ["communication", "communication", "kokk", "kvxqzt"]
    assert sorted(adapted) == ["hund", "rullestoltilgang"]
    terms = described["terms"]
    assert [(t["term"], t["resolved"], t["label"]) for t in terms["skills_required"]] == [
        ("kvxqzt", False, None), ("communication", True, "communication")]
    assert terms["occupation"][0]["label"] == "cook"
    assert [(t["term"], t["resolved"]) for t in terms["offers"]] == [
        ("rullestoltilgang", True), ("hund", False)]
    assert [(w["field"], w["term"]) for w in described["warnings"]] == [
        ("skills_required", "kvxqzt"), ("offers", "hund")]
