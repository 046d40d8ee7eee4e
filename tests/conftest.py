"""Shared fixtures: the built-in taxonomy (loaded once) and the sample files."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

import matcher

SAMPLES = Path(str(resources.files("matcher.samples")))
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# The heaviest files (live servers, databases, a browser, the resolver's first build: 10-30 s
# each) are handed out first, so the two test processes finish together rather than one idling
# while the other runs a long file it drew last (``--dist loadfile`` deals files in
# collection order). Tests inside a file keep their order.
HEAVY_FIRST = ("test_service_hardening.py", "test_service.py", "test_audit.py",
               "test_service_durability.py", "test_taxonomy_rerank.py", "test_assign.py",
               "test_service_schemathesis.py", "test_cli.py", "test_report_browser.py",
               "test_taxonomy.py", "test_taxonomy_resolve.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish() -> None:
    """At the very end pytest collects garbage five times over to catch late errors from
    objects' finalisers; every object then alive (the session's taxonomies and resolvers,
    millions of them) is moved out of the collector's way first, which saves seconds per test
    process. The price: a cycle the last test of a process leaves behind is not searched for
    such errors at exit; the tests themselves run with the collector as usual."""
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the taxonomy's disk cache (transfer matrix, compiled downloads) out of the user's
    home for the whole session, subprocesses included."""
    before = os.environ.get("MATCHER_CACHE_DIR")
    os.environ["MATCHER_CACHE_DIR"] = str(tmp_path_factory.mktemp("matcher-cache"))
    yield
    if before is None:
        del os.environ["MATCHER_CACHE_DIR"]
    else:
        os.environ["MATCHER_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def taxonomy() -> matcher.Taxonomy:
    return matcher.load_taxonomy()


@pytest.fixture(scope="session")
def samples() -> tuple[Path, Path]:
    return SAMPLES / "seekers.csv", SAMPLES / "roles.csv"


@pytest.fixture(scope="session")
def sample_result(samples: tuple[Path, Path], taxonomy: matcher.Taxonomy) -> matcher.MatchResult:
    return matcher.match(*samples, taxonomy=taxonomy)
