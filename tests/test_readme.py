"""The README's worked example, pinned: its inputs, run as written, give its outputs."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from matcher.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"<!-- example:(\S+) -->\n```csv\n(.*?)```", text, flags=re.S)
    return {name: body for name, body in found}


def test_readme_starts_with_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)```", text, flags=re.S)
    assert first is not None
    lines = [line.split("#")[0].strip() for line in first.group(1).strip().splitlines()]
    assert lines == ["pip install -e . && matcher demo", "pip install -e '.[test]' && pytest"]


def test_worked_example_outputs_are_what_the_readme_shows(tmp_path: Path) -> None:
    example = blocks()
    assert set(example) == {"seekers.csv", "roles.csv", "matches.csv", "alts.csv",
                            "matches-nb.csv"}
    for name in ("seekers.csv", "roles.csv"):
        (tmp_path / name).write_text(example[name], encoding="utf-8")
    result = CliRunner().invoke(cli, [
        "match", str(tmp_path / "seekers.csv"), str(tmp_path / "roles.csv"),
        "--out", str(tmp_path / "matches.csv"), "--alternatives", str(tmp_path / "alts.csv"),
    ])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, [
        "match", str(tmp_path / "seekers.csv"), str(tmp_path / "roles.csv"),
        "--out", str(tmp_path / "matches-nb.csv"), "--lang", "nb",
    ])
    assert result.exit_code == 0, result.output
    for name in ("matches.csv", "alts.csv", "matches-nb.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == example[name], name
