"""Shared fixtures: the built-in taxonomy (loaded once) and the sample files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import matcher

SAMPLES = Path(str(resources.files("matcher.samples")))
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def taxonomy() -> matcher.Taxonomy:
    return matcher.load_taxonomy()


@pytest.fixture(scope="session")
def samples() -> tuple[Path, Path]:
    return SAMPLES / "seekers.csv", SAMPLES / "roles.csv"


@pytest.fixture(scope="session")
def sample_result(samples: tuple[Path, Path], taxonomy: matcher.Taxonomy) -> matcher.MatchResult:
    return matcher.match(*samples, taxonomy=taxonomy)
