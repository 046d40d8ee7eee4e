"""Shared fixtures: the built-in taxonomy (loaded once) and the sample files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

import matcher

SAMPLES = Path(str(resources.files("matcher.samples")))
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
