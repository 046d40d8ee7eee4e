"""The shipped transfer matrix: its file format round trip, the built-in taxonomy reading it
instead of computing, any other taxonomy computing as before, and (``-m artefacts``) the
shipped file being exactly what the build script computes."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest

from matcher.taxonomy import Taxonomy, load_taxonomy, transfer


def symmetric(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = rng.random((n, n)).astype(np.float32)
    m = np.triu(m, 1)
    m = m + m.T
    np.fill_diagonal(m, 1.0)
    return m


@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_the_file_gives_back_the_matrix_bit_for_bit(tmp_path: Path, n: int) -> None:
    matrix = symmetric(n, n)
    if n > 1:
        matrix[0, -1] = matrix[-1, 0] = np.float32(0.019063586)  # a value of full precision
    data = transfer.shipped_bytes(matrix, "abc")
    assert data == transfer.shipped_bytes(matrix.copy(), "abc")  # same matrix, same bytes
    path = tmp_path / "m.zip"
    path.write_bytes(data)
    back = transfer.read_shipped(path, "abc")
    assert back is not None and back.dtype == np.float32
    assert back.tobytes() == matrix.tobytes()


def test_a_file_of_another_taxonomy_or_a_damaged_one_is_not_used(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "m.zip"
    path.write_bytes(transfer.shipped_bytes(symmetric(5, 0), "abc"))
    assert transfer.read_shipped(path, "other") is None
    assert transfer.read_shipped(tmp_path / "missing.zip", "abc") is None
    with zipfile.ZipFile(path) as archive:
        meta = archive.read("meta.json")
        upper = archive.read("upper.f32")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.json", meta)
        archive.writestr("upper.f32", upper[:-4])
    with caplog.at_level(logging.WARNING, logger="matcher.taxonomy.transfer"):
        assert transfer.read_shipped(path, "abc") is None
    assert "truncated" in caplog.text
    path.write_bytes(b"not a zip")
    assert transfer.read_shipped(path, "abc") is None


def test_the_builtin_taxonomy_reads_the_shipped_matrix_and_unpacks_it_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_computing(tax: Taxonomy) -> np.ndarray:
        raise AssertionError("computed although the matrix ships")

    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(transfer, "transfer_matrix", no_computing)
    tax = load_taxonomy()
    matrix = transfer.cached_transfer_matrix(tax)
    n = tax.n_occupations
    assert matrix.shape == (n, n) and matrix.dtype == np.float32
    assert (matrix.diagonal() == 1.0).all() and (matrix[0] == matrix[:, 0]).all()
    bee = tax.resolve("bee breeder", "occupation").indices[0]
    assert int(np.argsort(-matrix[bee])[1]) == int(tax.similar_occupations(bee, 1)[0][0])
    # a later process reads the unpacked copy from the cache folder, not the shipped file
    [unpacked] = (tmp_path / "taxonomy").iterdir()
    assert unpacked.name.startswith("transfer-shipped-")
    monkeypatch.setattr(transfer, "read_shipped", lambda *a: pytest.fail("unpacked again"))
    assert transfer.cached_transfer_matrix(tax).tobytes() == matrix.tobytes()


def test_another_taxonomy_computes_and_caches_through_the_atomic_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(transfer, "SHIPPED_PATH", tmp_path / "none.zip")
    tax = load_taxonomy()
    fake = np.eye(tax.n_occupations, dtype=np.float32)
    monkeypatch.setattr(transfer, "transfer_matrix", lambda t: fake)
    assert transfer.cached_transfer_matrix(tax) is fake
    [cached] = (tmp_path / "taxonomy").iterdir()  # no temporary file left beside it
    assert cached.name.startswith("transfer-") and cached.stat().st_mode & 0o044

    def no_computing(t: Taxonomy) -> np.ndarray:
        raise AssertionError("computed although the cache holds the matrix")

    monkeypatch.setattr(transfer, "transfer_matrix", no_computing)
    assert (transfer.cached_transfer_matrix(tax) == fake).all()


@pytest.mark.artefacts
def test_the_shipped_matrix_is_what_the_build_script_computes() -> None:
    from matcher._build.transfer import build

    assert build() == transfer.SHIPPED_PATH.read_bytes(), (
        "the shipped transfer matrix differs from a fresh computation; rebuild it with "
        "python -m matcher._build.transfer")
