"""Issue 16, the role service tried as an attacker would: each numbered finding is a test named
after it, run over SQLite and over PostgreSQL 15 (the throwaway cluster of ``test_service``);
then the log-grep of a hostile run, and the login timing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import statistics
import threading
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from test_service import (  # the fixtures, reused (pytest puts tests/ on the path)
    SAMPLE_ROLE,
    Service,
    _login,
    _run,
    db_url,
    postgres,
    postgres_db,
    running,
    service,
)

from matcher.service.export import FORMULA_START
from matcher.service.models import INT_MAX
from matcher.service.openapi import ROLE_BODY, ROLE_PATCH_BODY

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

__all__ = ["db_url", "postgres", "postgres_db", "service"]  # fixtures, used by name

MARKER = "Ola Nordmann 4417"  # synthetic; must never reach a log line
SECRET43 = "A" * 43


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    # the service's side: httpx (the test's own client) logs the URLs it asks for
    return "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}"
                     for r in caplog.records if not r.name.startswith("httpx"))


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.ERROR and r.name.startswith(("matcher", "uvicorn"))]


# --- 1. numbers past 32 bits -----------------------------------------------------------------


def test_issue16_finding_1_numbers_past_32_bits_are_refused_not_500(
        service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    role = service.post_role("Bikuben")
    path = f"/api/roles/{role['role_id']}"
    for slots in (2**31, 2**53, "2147483648", 10**30):
        for method, target in (("POST", "/api/roles"), ("PATCH", path)):
            answer = service.call(method, target, "Bikuben",
                                  json={**SAMPLE_ROLE, "title": MARKER, "slots": slots})
            assert answer.status_code == 422, (method, slots, answer.text)
            assert [p["field"] for p in answer.json()["problems"]] == ["slots"]
    assert service.call("POST", "/api/roles", "Bikuben",
                        json={**SAMPLE_ROLE, "slots": INT_MAX}).status_code == 201
    for role_id in ("R2147483648", "R9999999999", "R2147483647"):
        assert service.call("GET", f"/api/roles/{role_id}", "Bikuben").status_code == 404
    for token_id in ("2147483648", "99999999999", "2147483647"):  # no login needed
        answer = service.client.get("/api/roles",
                                    headers={"authorization": f"Bearer {token_id}.{SECRET43}"})
        assert answer.status_code == 401
    answer = service.call("DELETE", "/api/account/tokens/2147483648", "Bikuben")
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "token_id"
    assert MARKER not in _log_text(caplog) and not _errors(caplog)


# --- 2. a 500 before login --------------------------------------------------------------------


MALFORMED = ["Bearer ².x", f"Bearer ².{SECRET43}", f"Bearer ١.{SECRET43}", f"Bearer 01.{SECRET43}",
             "Bearer 1.", "Bearer .", "Bearer " + "9" * 5000 + ".x", "bearer  ", "Basic Zm9v",
             f"Bearer 1.{SECRET43}\t", f"Bearer 1.{SECRET43[:-1]}é"]


def test_issue16_finding_2_malformed_bearer_tokens_answer_401(
        service: Service, caplog: pytest.LogCaptureFixture) -> None:
    for header in MALFORMED:
        try:  # as the bytes an attacker sends: Starlette reads a header as Latin-1
            raw = header.encode("latin-1")
        except UnicodeEncodeError:
            raw = header.encode("utf-8")
        answer = service.client.get("/api/roles", headers={"authorization": raw})  # type: ignore[dict-item]
        assert answer.status_code == 401, header[:20]
        assert answer.json() == {"detail": "a valid API token is required "
                                           "(Authorization: Bearer TOKEN)"}
    assert not _errors(caplog)


# --- 3. 500 instead of 4xx -------------------------------------------------------------------


def test_issue16_finding_3_huge_offsets_deep_json_and_long_numbers_answer_4xx(
        service: Service, caplog: pytest.LogCaptureFixture) -> None:
    role = service.post_role("Bikuben")
    _login(service.client, "Bikuben", "honning-er-godt")
    routes = ["/api/roles", "/api/history", f"/api/roles/{role['role_id']}/history", "/roles",
              "/history"]
    for route in routes:
        for offset in ("9223372036854775808", str(INT_MAX + 1), "9" * 5000, "-1", "²"):
            answer = service.call("GET", route, "Bikuben", params={"offset": offset})
            assert answer.status_code == 422, (route, offset[:20])
            problem = answer.json()["problems"][0]
            assert problem["field"] == "offset" and problem["rule"].startswith("must be")
            assert problem["value"] == offset[:200]
        assert service.call("GET", route, "Bikuben", params={"offset": INT_MAX}).status_code == 200
    for body, status in [("[" * 1100 + "]" * 1100, 400),
                         ('{"slots": ' + "[" * 1100 + "]" * 1100 + "}", 400),
                         ('{"title": ' + '{"a": ' * 300 + "1" + "}" * 301, 422),
                         ('{"slots": ' + "9" * 5000 + "}", 400),
                         ('{"slots": ' + "9" * 4000 + "}", 422),
                         ('{"slots": NaN}', 400), ('{"hours": Infinity, "slots": 1}', 400),
                         ('{"slots": 1e999}', 422)]:
        answer = service.call("POST", "/api/roles", "Bikuben", content=body,
                              headers={"content-type": "application/json"})
        assert answer.status_code == status, (body[:30], answer.text[:200])
    assert service.call("GET", "/api/roles", "Bikuben").json()["total"] == 1
    assert not _errors(caplog)


# --- 4. login timing --------------------------------------------------------------------------


def test_issue16_finding_4_every_failed_login_costs_one_scrypt(
        service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.service import auth

    calls: list[int] = []
    real = auth._scrypt
    monkeypatch.setattr(auth, "_scrypt", lambda *a: calls.append(1) or real(*a))
    auth.dummy_hash()  # made once, on first use
    service.account("Uten passord")
    service.repository.set_disabled("Symaskinen", True)
    for name in ("Bikuben", "Uten passord", "Finnes ikke", "Symaskinen", ""):
        calls.clear()
        assert service.repository.account_by_password(name, "feil passord") is None
        assert len(calls) == 1, name


def test_issue16_finding_4_login_time_does_not_tell_which_names_exist(db_url: str) -> None:
    with running(db_url, login_attempts=10_000) as service:
        service.account("Bikuben", password="honning-er-godt")
        service.account("Uten passord")
        client = service.client
        client.get("/login")
        cases = {"unknown name": "Finnes ikke", "existing name": "Bikuben",
                 "no password": "Uten passord"}
        times: dict[str, list[float]] = {case: [] for case in cases}
        for _ in range(1):  # warm-up, not counted
            for name in cases.values():
                _login(client, name, "feil passord")
        order = list(cases.items())
        for round_ in range(21):  # interleaved, each case first in turn: a load spike or a
            # warm cache hits every case alike
            for case, name in order[round_ % 3:] + order[:round_ % 3]:
                started = time.perf_counter()
                assert _login(client, name, "feil passord").status_code == 401
                times[case].append(time.perf_counter() - started)
        # the lower quartile of each case: a load spike only ever adds time, so the fastest
        # quarter is what the code itself costs. A name that skipped the password hash would
        # answer several times faster; a margin of 1.5 leaves room for a loaded machine
        # (medians at 20 % failed there: 0.11 against 0.15 s)
        quartiles = {case: statistics.quantiles(t, n=4)[0] for case, t in times.items()}
        assert max(quartiles.values()) <= 1.5 * min(quartiles.values()), quartiles


# --- 5. formulas in the CSV export ------------------------------------------------------------

FORMULAS = {"title": '=HYPERLINK("https://evil.example/?x","Klikk her")',
            "occupation": "@SUM(1+1)*cmd|' /C calc'!A0",
            "skills_required": ["+47 99 99 99 99", "-2+3", "breed insects", "@mention"],
            "offers": "mentor;=1+1;＝1+1"}


def _cells(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _assert_defused(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, cell in row.items():
            if column in ("slots", "hours", "lat", "lon"):
                continue  # numbers, not text
            for item in cell.split(";"):
                assert not item.lstrip(" ").startswith(tuple(FORMULA_START)), (column, cell)
    formula_row = next(r for r in rows if "HYPERLINK" in r["title"])
    assert formula_row["title"] == "'" + FORMULAS["title"]
    assert formula_row["skills_required"] == "'+47 99 99 99 99;'-2+3;breed insects;'@mention"
    assert formula_row["offers"] == "mentor;'=1+1;'＝1+1"
    assert formula_row["lon"] == "-10.5"  # a number stays a number


def test_issue16_finding_5_exports_defuse_spreadsheet_formulas(service: Service,
                                                                tmp_path: Path) -> None:
    service.post_role("Bikuben", **FORMULAS, lat=59.0, lon=-10.5)
    service.post_role("Symaskinen", title="Syerske")
    _assert_defused(_cells(service.call("GET", "/api/export", "NAV Grünerløkka").content))
    _login(service.client, "NAV Grünerløkka", "saksbehandler")
    _assert_defused(_cells(service.client.get("/export.csv").content))
    out = tmp_path / "roles.csv"
    assert _run("roles", "export", "--db", service.repository.url, "--out", str(out))[0] == 0
    _assert_defused(_cells(out.read_bytes()))
    # the database and the API keep exactly what was posted
    stored = service.call("GET", "/api/roles", "Bikuben").json()["items"][0]
    assert stored["title"] == FORMULAS["title"]


# --- 6. credentials with a lifecycle ------------------------------------------------------------


def _status(service: Service, token: str) -> int:
    return int(service.client.get("/api/roles",
                                  headers={"authorization": f"Bearer {token}"}).status_code)


def test_issue16_finding_6_cli_tokens_revoke_disable_expire(service: Service) -> None:
    db = service.repository.url
    first = service.tokens["Symaskinen"]
    code, out, _ = _run("accounts", "token", "Symaskinen", "--db", db)
    assert code == 0
    second = json.loads(out)
    assert second["account"] == "Symaskinen" and second["expires_at"] is None
    code, out, _ = _run("accounts", "token", "Symaskinen", "--expires-days", "30", "--db", db)
    third = json.loads(out)
    assert third["expires_at"] is not None
    assert [_status(service, t) for t in (first, second["token"], third["token"])] == [200] * 3
    code, out, _ = _run("accounts", "tokens", "Symaskinen", "--db", db)
    listed = [json.loads(line) for line in out.splitlines()]
    assert [t["status"] for t in listed] == ["live"] * 3 and SECRET43[:5] not in out
    assert all("token" not in t for t in listed)
    code, _, err = _run("accounts", "revoke", "Symaskinen", "--token", str(second["token_id"]),
                        "--db", db)
    assert code == 0 and "1 token(s)" in err
    assert [_status(service, t) for t in (first, second["token"], third["token"])] == [200, 401,
                                                                                       200]
    code, _, err = _run("accounts", "revoke", "Symaskinen", "--token", str(second["token_id"]),
                        "--db", db)
    assert code == 2 and "no live token" in err
    code, _, err = _run("accounts", "revoke", "Symaskinen", "--db", db)
    assert code == 0 and "2 token(s)" in err
    assert [_status(service, t) for t in (first, third["token"])] == [401, 401]
    # expiry
    expired = service.repository.new_token("Symaskinen", timedelta(seconds=-1))
    assert _status(service, expired.token) == 401
    # disable: tokens and web sessions stop; enable: live tokens work again
    _login(service.client, "Bikuben", "honning-er-godt")
    assert service.client.get("/roles", follow_redirects=False).status_code == 200
    assert _run("accounts", "disable", "Bikuben", "--db", db)[0] == 0
    assert _status(service, service.tokens["Bikuben"]) == 401
    assert service.client.get("/roles", follow_redirects=False).status_code == 303
    assert _login(service.client, "Bikuben", "honning-er-godt").status_code == 401
    assert _run("accounts", "enable", "Bikuben", "--db", db)[0] == 0
    assert _status(service, service.tokens["Bikuben"]) == 200
    for command in ("token", "tokens", "revoke", "disable", "enable"):
        code, _, err = _run("accounts", command, "Nobody", "--db", db)
        assert code == 2 and "no account named 'Nobody'" in err, command


def test_issue16_finding_6_password_change_ends_sessions_cli_and_api(service: Service) -> None:
    db = service.repository.url
    web = service.client
    _login(web, "Bikuben", "honning-er-godt")
    assert web.get("/roles", follow_redirects=False).status_code == 200
    assert _run("accounts", "password", "Bikuben", "--db", db, stdin="nytt passord 1\n")[0] == 0
    assert web.get("/roles", follow_redirects=False).status_code == 303
    _login(web, "Bikuben", "nytt passord 1")
    assert web.get("/roles", follow_redirects=False).status_code == 200
    wrong = service.call("PUT", "/api/account/password", "Bikuben",
                         json={"current_password": "feil", "new_password": "nytt passord 2"})
    assert wrong.status_code == 403
    short = service.call("PUT", "/api/account/password", "Bikuben",
                         json={"current_password": "nytt passord 1", "new_password": "kort"})
    assert short.status_code == 422 and short.json()["problems"][0]["value"] is None
    done = service.call("PUT", "/api/account/password", "Bikuben",
                        json={"current_password": "nytt passord 1",
                              "new_password": "nytt passord 2"})
    assert done.status_code == 204
    assert web.get("/roles", follow_redirects=False).status_code == 303
    assert _login(web, "Bikuben", "nytt passord 2").status_code == 303  # logged in


def test_issue16_finding_6_api_tokens_of_the_account_itself(service: Service) -> None:
    made = service.call("POST", "/api/account/tokens", "Bikuben", json={"expires_days": 7})
    assert made.status_code == 201
    token = made.json()
    assert token["expires_at"] and _status(service, token["token"]) == 200
    bare = service.call("POST", "/api/account/tokens", "Bikuben")
    assert bare.status_code == 201 and bare.json()["expires_at"] is None
    deep: Any = 1
    for _ in range(600):
        deep = [deep]
    for bad in ({"expires_days": 0}, {"expires_days": 3651}, {"expires_days": "7"},
                {"expires_days": True}, {"colour": 1}, {"expires_days": deep},
                {"expires_days": 10**4000}):
        assert service.call("POST", "/api/account/tokens", "Bikuben",
                            json=bad).status_code == 422, bad
    mine = service.call("GET", "/api/account", "Bikuben").json()
    assert mine["account"] == "Bikuben" and len(mine["tokens"]) == 3
    # another account's token id is not found, and stays live
    other = service.repository.tokens("Symaskinen")[0].id
    assert service.call("DELETE", f"/api/account/tokens/{other}", "Bikuben").status_code == 404
    assert _status(service, service.tokens["Symaskinen"]) == 200
    revoked = service.call("DELETE", f"/api/account/tokens/{token['token_id']}", "Bikuben")
    assert revoked.status_code == 204 and _status(service, token["token"]) == 401
    assert service.call("DELETE", "/api/account/tokens", "Bikuben").status_code == 204
    assert _status(service, service.tokens["Bikuben"]) == 401
    assert _status(service, bare.json()["token"]) == 401


# --- 7. cookies, forwarded addresses, lock-out ---------------------------------------------------


def test_issue16_finding_7_secure_cookies_by_default_off_loopback() -> None:
    from matcher.cli.service import is_loopback, uvicorn_options

    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "10.0.0.5",
                                     "example.org")] == [True, True, True, False, False, False]
    assert uvicorn_options("127.0.0.1", "")["proxy_headers"] is False
    behind = uvicorn_options("0.0.0.0", " 10.0.0.1 , 10.0.0.2")
    assert behind["proxy_headers"] is True and behind["forwarded_allow_ips"] == "10.0.0.1,10.0.0.2"


@pytest.mark.parametrize(("args", "secure", "proxy"), [
    ((), False, False), (("--host", "0.0.0.0"), True, False),
    (("--host", "0.0.0.0", "--no-secure-cookies"), False, False),
    (("--secure-cookies", "--forwarded-allow-ips", "127.0.0.1"), True, True)])
def test_issue16_finding_7_serve_wires_cookies_and_proxies(
        args: tuple[str, ...], secure: bool, proxy: bool, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(app=app, **options))
    assert _run("serve", "--db", str(tmp_path / "r.db"), *args)[0] == 0
    assert seen["app"].state.service.settings.secure_cookies is secure
    assert seen["proxy_headers"] is proxy and seen["access_log"] is False


def test_issue16_finding_7_secure_cookie_flag(db_url: str) -> None:
    with running(db_url, secure_cookies=True) as service:
        service.account("Bikuben", password="honning-er-godt")
        page = service.client.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()
        answer = service.client.post("/login", data={
            "csrf": service.client.cookies["matcher_csrf"], "account": "Bikuben",
            "password": "honning-er-godt"}, follow_redirects=False)
        cookies = answer.headers.get_list("set-cookie")
        assert cookies and all("; secure" in c.lower() for c in cookies)


def test_issue16_finding_7_spoofed_forwarded_for_does_not_escape_the_limit(
        tmp_path: Path) -> None:
    import httpx
    import uvicorn

    from matcher.cli.service import uvicorn_options
    from matcher.service import ServiceSettings, create_app

    app = create_app(ServiceSettings(db=f"sqlite:///{tmp_path / 'r.db'}", login_attempts=3))
    config = uvicorn.Config(app, port=0, log_level="warning", access_log=False,
                            **uvicorn_options("127.0.0.1", ""))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            client.get("/login")
            statuses = []
            for n in range(5):
                answer = client.post("/login", data={
                    "csrf": client.cookies["matcher_csrf"], "account": f"Navn {n}",
                    "password": "feil passord"}, headers={"x-forwarded-for": f"203.0.113.{n}"})
                statuses.append(answer.status_code)
        assert statuses == [401, 401, 401, 429, 429]
    finally:
        server.should_exit = True
        thread.join(10)


def test_issue16_finding_7_a_known_name_cannot_be_locked_out_from_elsewhere(db_url: str) -> None:
    with running(db_url, login_attempts=3) as service:
        service.account("Bikuben", password="honning-er-godt")
        owner = service.client  # logs in once: its browser is trusted for the name
        assert _login(owner, "Bikuben", "honning-er-godt").status_code == 303
        owner.post("/logout", data={"csrf": owner.cookies["matcher_csrf"]})
        app = owner.app
        for n in range(4):  # an attacker, from several addresses
            attacker = TestClient(app, client=(f"198.51.100.{n}", 4000))
            assert _login(attacker, "Bikuben", "gjetning").status_code in (401, 429)
        stranger = TestClient(app, client=("198.51.100.200", 4000))
        assert _login(stranger, "Bikuben", "honning-er-godt").status_code == 429
        assert _login(owner, "Bikuben", "honning-er-godt").status_code == 303


# --- 8. multipart forms ------------------------------------------------------------------------


def test_issue16_finding_8_multipart_refuses_files_and_non_utf8(service: Service) -> None:
    web = service.client
    _login(web, "Bikuben", "honning-er-godt")
    csrf = web.cookies["matcher_csrf"]

    def multipart(title: bytes, extra: bytes = b"") -> Any:
        boundary = b"grense42"
        parts = [(b"csrf", csrf.encode()), (b"slots", b"1"), (b"title", title)]
        body = b"".join(b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name
                        + b'"\r\n\r\n' + value + b"\r\n" for name, value in parts)
        body += extra + b"--" + boundary + b"--\r\n"
        return web.post("/roles/new", content=body, follow_redirects=False, headers={
            "content-type": "multipart/form-data; boundary=grense42"})

    assert multipart("Birøkter".encode("latin-1")).status_code == 400
    file_part = (b'--grense42\r\nContent-Disposition: form-data; name="skills_trained"; '
                 b'filename="cv.txt"\r\nContent-Type: text/plain\r\n\r\nbreed insects\r\n')
    assert multipart(b"Med fil", file_part).status_code == 400
    assert service.call("GET", "/api/roles", "Bikuben").json()["total"] == 0
    saved = multipart("Birøkter".encode())
    assert saved.status_code == 303
    assert service.call("GET", "/api/roles", "Bikuben").json()["items"][0]["title"] == "Birøkter"


# --- 9. the OpenAPI document ---------------------------------------------------------------------


def test_issue16_finding_9_openapi_describes_the_service(service: Service) -> None:
    import jsonschema

    document = service.client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    statuses = {(method.upper(), path): set(op["responses"])
                for path, ops in document["paths"].items() for method, op in ops.items()}
    assert statuses[("POST", "/api/roles")] == {"201", "400", "401", "403", "413", "415", "422"}
    assert statuses[("PATCH", "/api/roles/{role_id}")] == {"200", "400", "401", "403", "404",
                                                           "409", "413", "415", "422"}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if path.startswith("/api/"):
                assert op["security"] == [{"HTTPBearer": []}], (method, path)
            if "422" in op["responses"]:
                schema = op["responses"]["422"]["content"]["application/json"]["schema"]
                assert "problems" in schema["required"], (method, path)
    assert "HTTPValidationError" not in json.dumps(document)
    post = document["paths"]["/api/roles"]["post"]["requestBody"]["content"]["application/json"]
    assert post["schema"] == json.loads(json.dumps(ROLE_BODY))
    valid = jsonschema.Draft202012Validator(ROLE_BODY)
    assert valid.is_valid(SAMPLE_ROLE)
    assert not valid.is_valid({"slots": -1}) and not valid.is_valid({"slots": INT_MAX + 1})
    assert valid.is_valid({"slots": 0})  # a role full for now (issue 11)
    assert valid.is_valid({"slots": 1, "languages": None, "hours": None, "permanent": "ja"})
    assert not valid.is_valid({"slots": 1, "lat": 59.9})  # lon must come with it
    assert jsonschema.Draft202012Validator(ROLE_PATCH_BODY).is_valid({"lat": 59.9})
    # what the document allows the service accepts; what it refuses the service refuses
    for body, ok in [({"slots": 1, "languages": None}, True),
                     ({"slots": "3", "hours": "7.5"}, True), ({"slots": -1}, False),
                     ({"slots": 0}, True),
                     ({"slots": "2.0"}, False),
                     ({"slots": 1, "permanent": 1}, False), ({"slots": 1, "title": 5}, False)]:
        answer = service.call("POST", "/api/roles", "Bikuben", json=body)
        assert valid.is_valid(body) is ok and (answer.status_code == 201) is ok, body
    bad = service.call("GET", "/api/roles", "Bikuben", params={"limit": "x", "status": "gone"})
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"limit", "status"}
    assert all(set(p) == {"field", "rule", "value", "message"} for p in bad.json()["problems"])
    role = service.post_role("Bikuben")
    options = service.call("OPTIONS", f"/api/roles/{role['role_id']}", "Bikuben")
    assert options.status_code == 204
    assert set(options.headers["allow"].split(", ")) == {"GET", "PATCH", "OPTIONS"}
    put = service.call("PUT", f"/api/roles/{role['role_id']}", "Bikuben", json={})
    assert put.status_code == 405 and "PATCH" in put.headers["allow"]


# --- 10. role id aliases -------------------------------------------------------------------------


ALIASES = ["R1", "R0000001", "R00000١", "R000001%0A", "r000001", "R000001%20", "R%EF%BC%91",
           "R+00001", "R-00001", "R000001.0", " R000001"]


def test_issue16_finding_10_role_id_aliases_are_404(service: Service) -> None:
    role = service.post_role("Bikuben")
    assert role["role_id"] == "R000001"
    _login(service.client, "Bikuben", "honning-er-godt")
    assert service.call("GET", "/api/roles/R000001", "Bikuben").status_code == 200
    for alias in ALIASES:
        for method, template in (("GET", "/api/roles/{}"), ("PATCH", "/api/roles/{}"),
                                 ("POST", "/api/roles/{}/close"),
                                 ("GET", "/api/roles/{}/history")):
            answer = service.call(method, template.format(alias), "Bikuben", json={"slots": 3})
            assert answer.status_code == 404, (method, alias)
        assert service.client.get(f"/roles/{alias}").status_code == 404, alias
    after = service.call("GET", "/api/roles/R000001", "Bikuben").json()
    assert (after["status"], after["slots"]) == ("open", role["slots"])


# --- no personal text in any log ----------------------------------------------------------------


def _server_log(url: str) -> str:
    """The PostgreSQL server's own log (the fixture writes it beside the socket); '' on SQLite."""
    if not url.startswith("postgresql"):
        return ""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        row = connection.execute("SHOW unix_socket_directories").fetchone()
    assert row is not None
    return (Path(str(row[0]).split(",")[0]) / "log").read_text("utf-8", "replace")


def test_hostile_run_leaves_no_input_in_any_log(service: Service,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = service.repository.url
    before = _server_log(url)
    hostile = [
        ("POST", "/api/roles", {**SAMPLE_ROLE, "title": MARKER, "slots": 2**40}),
        ("POST", "/api/roles", {**SAMPLE_ROLE, "title": MARKER, "slots": "2147483648"}),
        ("POST", "/api/roles", {**SAMPLE_ROLE, "occupation": MARKER, "hours": 10**300}),
        ("POST", "/api/roles", {**SAMPLE_ROLE, MARKER: MARKER}),
        ("PATCH", "/api/roles/R2147483648", {"title": MARKER}),
        ("POST", "/api/account/tokens", {"expires_days": MARKER}),
        ("PUT", "/api/account/password", {"new_password": MARKER, "current_password": MARKER}),
    ]
    for method, path, body in hostile:
        assert service.call(method, path, "Bikuben", json=body).status_code < 500
    for text in ('{"title": "' + MARKER + '", "slots": ' + "[" * 1100,
                 '{"title": "' + MARKER + '", "slots": ' + "7" * 5000 + "}"):
        assert service.call("POST", "/api/roles", "Bikuben", content=text,
                            headers={"content-type": "application/json"}).status_code == 400
    service.client.get("/api/roles", headers={"authorization": f"Bearer ²{MARKER}".encode(
        "latin-1")})  # type: ignore[dict-item]
    service.call("GET", "/api/terms", "Bikuben", params={"q": MARKER})
    service.call("GET", "/api/roles", "Bikuben", params={"offset": MARKER})
    _login(service.client, MARKER, MARKER)
    logged = _log_text(caplog) + _server_log(url)[len(before):]
    for leaked in (MARKER, "Ola", service.tokens["Bikuben"], "honning"):
        assert leaked not in logged
    assert not _errors(caplog)


# --- migration 0003 ---------------------------------------------------------------------------


def test_migration_0003_keeps_the_tokens_handed_out_before(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from matcher.service import auth
    from matcher.service.repository import Repository, _alembic_config

    repository = Repository(db_url, migrate=False)
    try:
        with repository.engine.begin() as connection:  # a database of the previous release
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            for table in ("api_tokens", "web_sessions", "role_history", "roles", "accounts"):
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE"
                                           if "postgresql" in db_url else
                                           f"DROP TABLE IF EXISTS {table}")
            if "postgresql" in db_url:
                connection.exec_driver_sql(
                    "DROP FUNCTION IF EXISTS role_history_append_only() CASCADE")
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
            old = {}
            for pk, name in ((1, "Bikuben"), (2, "Symaskinen")):
                old[name] = auth.new_token(pk)
                connection.execute(text(
                    "INSERT INTO accounts (id, name, kind, token_hash, created_at) "
                    "VALUES (:id, :name, 'enterprise', :hash, CURRENT_TIMESTAMP)"),
                    {"id": pk, "name": name, "hash": auth.hash_token(old[name])})
        repository.migrate()
        assert repository.schema_revision() == "0003"
        for name, token in old.items():
            account = repository.account_by_token(token)
            assert account is not None and account.name == name
        fresh = repository.new_token("Bikuben")
        assert fresh.id == 3  # the id sequence starts past the ids taken
        assert repository.revoke_tokens("Bikuben", 1) == 1
        assert repository.account_by_token(old["Bikuben"]) is None
        assert repository.account_by_token(fresh.token) is not None
    finally:
        repository.dispose()
