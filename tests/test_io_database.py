"""ROLES from the role service's database: read-only, no service extra needed, and a missing
database or schema is an error naming the URL (PostgreSQL is read end to end in
tests/test_service.py::test_roles_export_and_match_from_the_database)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.errors import InputError
from matcher.io import read_source, validate_roles
from matcher.io.database import read_open_roles, redact_url


def _service_db(path: Path) -> str:
    """A database made by the service itself, with two roles of which one is closed."""
    from matcher.service.repository import Repository

    url = f"sqlite:///{path}"
    repository = Repository(url)
    account, _ = repository.add_account("Bikuben birøkterlag", "enterprise")
    fields = {"title": "Birøkter i opplæring", "occupation": "birøkter", "skills_required": [],
              "skills_trained": ["breed insects"], "slots": 2, "hours": 30.0, "lat": 59.9,
              "lon": 10.7, "languages": ["no", "ar"], "offers": ["stille arbeidsplass"],
              "permanent": True, "form": "employment"}
    repository.create_role(account, fields)
    closed = repository.create_role(account, fields | {"title": "Stengt"})
    repository.close_role(account, closed.pk)
    repository.dispose()
    return url


def test_open_roles_are_read_as_a_roles_table(tmp_path: Path) -> None:
    url = _service_db(tmp_path / "roles.db")
    frame = read_open_roles(url)
    assert frame["role_id"].to_list() == ["R000001"]  # the closed role is left out
    typed = validate_roles(frame, "roles")
    row = typed.row(0, named=True)
    assert (row["enterprise"], row["slots"], row["languages"], row["offers"], row["permanent"]) \
        == ("Bikuben birøkterlag", 2, ["no", "ar"], ["stille arbeidsplass"], True)
    assert read_source(url).name == url


def test_reading_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "roles.db"
    url = _service_db(path)
    before = path.read_bytes()
    read_open_roles(url)
    assert path.read_bytes() == before
    # SQLite may add its own shared-memory index beside a WAL database for a reader; nothing else
    assert {p.name for p in tmp_path.iterdir()} <= {"roles.db", "roles.db-wal", "roles.db-shm"}


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    with pytest.raises(InputError, match=r"sqlite:///.*typo\.db: cannot be opened"):
        read_open_roles(f"sqlite:///{typo}")
    assert not typo.exists()
    seekers = tmp_path / "s.csv"
    seekers.write_text("seeker_id\nS1\n")
    run = CliRunner().invoke(cli, ["match", str(seekers), f"sqlite:///{typo}", "--out",
                                   str(tmp_path / "m.csv")])
    assert run.exit_code == 2 and "typo.db: cannot be opened" in run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_a_database_without_the_service_tables_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).close()
    with pytest.raises(InputError, match="holds no role service tables"):
        read_open_roles(f"sqlite:///{path}")
    path.write_text("not a database, just text\n")
    with pytest.raises(InputError, match="not an SQLite database"):
        read_open_roles(f"sqlite:///{path}")


def test_reading_needs_no_service_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _service_db(tmp_path / "roles.db")
    for module in ("sqlalchemy", "alembic", "fastapi", "matcher.service",
                   "matcher.service.repository"):
        monkeypatch.setitem(sys.modules, module, None)
    assert read_open_roles(url).height == 1


def test_passwords_never_reach_a_message() -> None:
    assert redact_url("postgresql://anna:hemmelig@127.0.0.1:1/db") == \
        "postgresql://anna:***@127.0.0.1:1/db"
    with pytest.raises(InputError) as info:  # nothing listens on port 1
        read_open_roles("postgresql://anna:hemmelig@127.0.0.1:1/db")
    assert "hemmelig" not in str(info.value) and "anna:***@" in str(info.value)
