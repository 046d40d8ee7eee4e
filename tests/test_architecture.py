"""The architecture as a test: every module imports only downward along the data path, with
no cycle anywhere (imports inside functions count; ``if TYPE_CHECKING:`` imports do not, they
never run).

The layers, lowest first; a module may import its own layer's modules (without a cycle) and
any lower layer, never a higher one::

    errors, validate, config             settings, parameter checks, the exception tree
    io                                   read & validate, atomic writes
    taxonomy                             ESCO, resolution, similarity
    terms                                cells -> taxonomy concepts
    encode -> _scan, score               sparse vectors, pair scores (_scan: the compiled pass)
    policy                               the objective and the overrides
    assign                               solvers on arrays (only errors and config below it)
    explain                              reasons
    audit                                creaming and parking
    report                               the HTML report
    api                                  matcher.match and its result
    service                              the role posting web service (a shell)
    cli                                  the command line (a shell; only ``matcher serve``
                                         and the account commands reach into the service)
    _build                               build scripts of the shipped files (nothing imports
                                         them: they are off the run-time import path)
"""

from __future__ import annotations

import ast
import functools
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "matcher"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("matcher", "matcher.errors", "matcher.validate", "matcher.config"),
    ("matcher.io",),
    ("matcher.taxonomy",),
    ("matcher.terms",),
    ("matcher.encode",),
    ("matcher._scan", "matcher.score"),
    ("matcher.policy",),
    ("matcher.assign",),
    ("matcher.explain",),
    ("matcher.audit",),
    ("matcher.report",),
    ("matcher.api",),
    ("matcher.service",),
    ("matcher.cli",),
    ("matcher._build",),
)
#: the one command module that may start the web service and manage its accounts
SERVICE_COMMANDS = "matcher.cli.service"
#: besides its own package, what the solver layer may import
ASSIGN_MAY_IMPORT = ("matcher.errors", "matcher.validate", "matcher.config")
#: modules that only run as scripts or inside another tool, never on the import path
OUTSIDE = ("matcher.service.migrations",)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(OUTSIDE):
            found[name] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "matcher"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "matcher":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in modules else target)
    return {t for t in out if t != name}


@functools.cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    best = -1, -1  # (length of the matching prefix, layer)
    for layer, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = len(prefix), layer
    return best[1]


def test_every_module_has_a_layer() -> None:
    assert [m for m in _graph() if _layer(m) < 0] == []


def test_no_import_cycle() -> None:
    graph = _graph()
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_imports_go_down_the_data_path() -> None:
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(source)
        or (target.startswith("matcher.service") and source.startswith("matcher.cli")
            and source != SERVICE_COMMANDS)
    )
    assert upward == []


def test_the_solver_knows_nothing_of_files() -> None:
    graph = _graph()
    bad = sorted(
        f"{source} imports {target}"
        for source, targets in graph.items() if source.startswith("matcher.assign")
        for target in targets
        if not target.startswith(("matcher.assign", *ASSIGN_MAY_IMPORT))
    )
    assert bad == []
    for path in (PACKAGE / "assign").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {node.func.id for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in (node.names if isinstance(node, ast.Import)
                                  else [ast.alias(node.module or "")])}
        assert not calls & {"open", "print", "input"}, path.name
        assert not imported & {"polars", "pathlib", "io", "os"}, path.name


def test_nothing_imports_the_build_scripts() -> None:
    graph = _graph()
    reaching = sorted(f"{source} imports {target}" for source, targets in graph.items()
                      if not source.startswith("matcher._build")
                      for target in targets if target.startswith("matcher._build"))
    assert reaching == []
    # everything importing matcher.taxonomy (or matcher.api) can load, function-level imports
    # included: no build script, but the taxonomy's own compiler
    loaded: set[str] = set()
    todo = ["matcher.taxonomy", "matcher.api"]
    while todo:
        module = todo.pop()
        if module not in loaded:
            loaded.add(module)
            todo.extend(graph.get(module, ()))
    assert "matcher.taxonomy.compile" in loaded
    assert sorted(m for m in loaded if m.startswith("matcher._build")) == []
