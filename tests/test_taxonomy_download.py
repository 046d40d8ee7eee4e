"""Official downloads: compiled once into the cache, rebuilt when a file changes, and a broken
or partial download fails with the file and what is missing (exit 2 from the CLI)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.errors import TaxonomyError
from matcher.taxonomy import cache, load_taxonomy, transfer
from matcher.taxonomy import compile as compile_module

ESCO = "http://data.europa.eu/esco/"
OCC = [("occupation/bee", "6123", "bee breeder", "beekeeper", "Breeds bees for honey."),
       ("occupation/agro", "2132", "agronomist", "", "Advises farmers on crops."),
       ("occupation/cook", "5120", "cook", "chef de partie", "Prepares food in kitchens.")]
SKILLS = [("skill/insects", "breed insects"), ("skill/honey", "process harvested honey"),
          ("skill/crops", "monitor crops"), ("skill/food", "prepare food")]
GROUPS = [("skill/g-animals", "handling animals"), ("skill/g-agri", "agriculture")]
RELATIONS = [("occupation/bee", "essential", "skill/insects"),
             ("occupation/bee", "optional", "skill/honey"),
             ("occupation/agro", "essential", "skill/crops"),
             ("occupation/cook", "essential", "skill/food"),
             ("occupation/cook", "optional", "skill/honey")]
BROADER = [("skill/insects", "skill/g-animals"), ("skill/crops", "skill/g-agri"),
           ("skill/g-animals", "skill/g-agri")]


def _csv(header: list[str], rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def classification_files() -> dict[str, bytes]:
    return {
        "occupations_en.csv": _csv(
            ["conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels",
             "description"],
            [(ESCO + u, isco, label, alt, "", desc) for u, isco, label, alt, desc in OCC]),
        "skills_en.csv": _csv(["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"],
                              [(ESCO + u, label, "", "") for u, label in SKILLS]),
        "skillGroups_en.csv": _csv(["conceptUri", "preferredLabel", "altLabels", "hiddenLabels"],
                                   [(ESCO + u, label, "", "") for u, label in GROUPS]),
        "ISCOGroups_en.csv": _csv(
            ["conceptUri", "code", "preferredLabel", "altLabels"],
            [(ESCO + "isco/C" + code, code, f"group {code}", "")
             for code in ("6123", "2132", "5120")]),
    }


def relations_files() -> dict[str, bytes]:
    return {
        "occupationSkillRelations.csv": _csv(
            ["occupationUri", "relationType", "skillType", "skillUri"],
            [(ESCO + o, rel, "skill", ESCO + s) for o, rel, s in RELATIONS]),
        "broaderRelationsSkillPillar.csv": _csv(
            ["conceptType", "conceptUri", "broaderType", "broaderUri"],
            [("x", ESCO + c, "y", ESCO + b) for c, b in BROADER]),
    }


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


@pytest.fixture
def download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny download as the two official zips plus a Norwegian label table."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "esco-v9.9.9"
    folder.mkdir()
    write_zip(folder / "esco-v9.9.9-classification-en-csv.zip", classification_files())
    write_zip(folder / "esco-v9.9.9-relations-csv.zip", relations_files())
    (folder / "occupation-labels-no.tsv").write_text(
        "conceptUri\tlabel\tpreferred\n"
        f"{ESCO}occupation/bee\tbirøkter\ttrue\n{ESCO}occupation/cook\tkokk\ttrue\n",
        encoding="utf-8")
    return folder


def cache_entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "taxonomy").glob("*.zip"))


def test_compiled_once_then_read_from_the_cache(download: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_taxonomy(download)
    assert first.version == "ESCO v9.9.9"
    assert first.resolve("birøktere", "occupation").label == "bee breeder"
    assert len(cache_entries(tmp_path)) == 1

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again although the cache is warm")

    monkeypatch.setattr(compile_module, "compile_taxonomy", no_compiling)
    second = load_taxonomy(download)
    assert second.occupation_uris == first.occupation_uris
    assert second.occupation_descriptions == first.occupation_descriptions
    assert second.resolve("kokker", "occupation").label == "cook"


def test_a_changed_file_rebuilds_the_cache(download: Path, tmp_path: Path) -> None:
    load_taxonomy(download)
    (download / "occupation-labels-no.tsv").write_text(
        f"conceptUri\tlabel\tpreferred\n{ESCO}occupation/agro\tplanteforsker\ttrue\n",
        encoding="utf-8")
    changed = load_taxonomy(download)
    assert len(cache_entries(tmp_path)) == 2
    assert changed.resolve("planteforsker", "occupation").label == "agronomist"
    assert not changed.resolve("birøkter", "occupation", "no").resolved


def test_a_damaged_cache_entry_is_rebuilt(download: Path, tmp_path: Path) -> None:
    load_taxonomy(download)
    [entry] = cache_entries(tmp_path)
    entry.write_bytes(b"not a zip")
    assert load_taxonomy(download).n_occupations == 3
    assert zipfile.is_zipfile(entry)


def test_extracted_csvs_work_like_the_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           ) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "extracted"
    folder.mkdir()
    for name, data in {**classification_files(), **relations_files()}.items():
        (folder / name).write_bytes(data)
    tax = load_taxonomy(folder)
    assert tax.occupation_labels == ["agronomist", "bee breeder", "cook"]
    assert tax.occupation_skills.nnz == len(RELATIONS)


def test_cache_key_depends_on_contents_and_crosswalk(download: Path, tmp_path: Path) -> None:
    key = cache.cache_key(download)
    assert cache.cache_key(download) == key
    other = tmp_path / "crosswalk.csv"
    other.write_text("x")
    assert cache.cache_key(download, other) != key


def test_partial_download_names_every_missing_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "partial"
    folder.mkdir()
    write_zip(folder / "esco-classification.zip", classification_files())
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(folder)
    message = str(info.value)
    assert "partial" in message and "incomplete" in message
    assert "occupationSkillRelations.csv (from the relations zip)" in message
    assert "broaderRelationsSkillPillar.csv" in message
    assert "occupations_en.csv" not in message
    assert isinstance(info.value, ValueError)


def test_truncated_zip_is_named(download: Path) -> None:
    target = download / "esco-v9.9.9-relations-csv.zip"
    target.write_bytes(target.read_bytes()[:40])
    with pytest.raises(TaxonomyError, match=r"relations-csv\.zip.*not a readable zip"):
        load_taxonomy(download)


def test_missing_column_is_named(download: Path) -> None:
    files = classification_files()
    files["skills_en.csv"] = _csv(["conceptUri", "altLabels"], [(ESCO + "skill/x", "")])
    write_zip(download / "esco-v9.9.9-classification-en-csv.zip", files)
    with pytest.raises(TaxonomyError, match=r"skills_en\.csv.*lacks the column\(s\) "
                                            r"preferredLabel, hiddenLabels"):
        load_taxonomy(download)


@pytest.mark.parametrize("command", [["terms", "resolve", "cook"],
                                     ["occupations", "similar", "cook", "--out", "x.csv"]])
def test_cli_exits_2_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       command: list[str]) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "partial"
    folder.mkdir()
    write_zip(folder / "esco-relations.zip", relations_files())
    result = CliRunner().invoke(cli, [*command, "--taxonomy", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "error:" in result.output and "occupations_en.csv" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_tiny_taxonomy_similarity_is_well_formed(download: Path) -> None:
    tax = load_taxonomy(download)
    sim = tax.occupation_similarity(range(3), range(3))
    assert sim.shape == (3, 3)
    assert (sim == sim.T).all() and (sim.diagonal() == 1.0).all()
    assert ((sim >= 0) & (sim <= 1)).all()


def test_the_similarity_matrix_is_cached_by_content(download: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_taxonomy(download).occupation_similarity(range(3), range(3))
    [cached] = list((tmp_path / "cache" / "taxonomy").glob("transfer-*.npy"))

    def no_computing(*args: object) -> None:
        raise AssertionError("computed again although the cache holds the matrix")

    monkeypatch.setattr(transfer, "transfer_matrix", no_computing)
    assert (load_taxonomy(download).occupation_similarity(range(3), range(3)) == first).all()
    # Norwegian labels do not enter the similarity: the new taxonomy reuses the matrix
    (download / "occupation-labels-no.tsv").write_text("conceptUri\tlabel\tpreferred\n")
    assert (load_taxonomy(download).occupation_similarity(range(3), range(3)) == first).all()
    # a changed description does: computed afresh under another name
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    files = classification_files()
    files["occupations_en.csv"] = files["occupations_en.csv"].replace(b"honey", b"wax")
    write_zip(download / "esco-v9.9.9-classification-en-csv.zip", files)
    load_taxonomy(download).occupation_similarity([0], [1])
    assert len(list(cached.parent.glob("transfer-*.npy"))) == 2
