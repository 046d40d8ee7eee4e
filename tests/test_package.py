"""The package as a user meets it: what ``import matcher`` and ``matcher --help`` cost, and
that every public name and command is where the docs say."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

import matcher
from matcher.cli import cli
from matcher.cli.base import COMMANDS

HEAVY = ("numpy", "scipy", "polars", "sklearn", "statsmodels", "pandas", "fastapi", "sqlalchemy")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import matcher",
    "import matcher; matcher.__version__",
    "from matcher.cli import main\nimport sys; sys.argv = ['matcher', '--help']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass",
])
def test_start_up_imports_nothing_heavy(code: str) -> None:
    loaded = _modules_after(code)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_help_lists_every_command_with_its_own_short_help() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name, (_module, declared) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        own = (command.help or "").split("\n\n")[0].strip()
        assert declared == own, f"COMMANDS[{name!r}] drifted from the command's docstring"
        for limit in (30, 45, 80):
            assert (click.utils.make_default_short_help(declared, limit)
                    == command.get_short_help_str(limit))


def test_help_runs_without_loading_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "matcher.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for name in COMMANDS:
        assert f"  {name} " in out


def test_every_public_name_resolves() -> None:
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None, name
    assert set(matcher.__all__) <= set(dir(matcher))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        matcher.nope  # noqa: B018


def test_audit_is_the_subpackage_and_callable() -> None:
    import matcher.audit.core as core  # raised ImportError while the function shadowed it

    assert matcher.audit.__name__ == "matcher.audit"
    assert core.audit is matcher.audit.audit
    assert callable(matcher.audit)


def test_all_is_exactly_the_lazy_exports() -> None:
    from matcher import _EXPORTS

    assert sorted(matcher.__all__) == sorted([*_EXPORTS, "__version__", "audit"])
