"""The taxonomy: the built-in snapshot's contents, term resolution, and the snapshot build."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.errors import TaxonomyError
from matcher.taxonomy import Resolution, Taxonomy, load_taxonomy
from matcher.taxonomy.compile import compile_taxonomy
from matcher.taxonomy.resolve import SPELLING_METHODS, SPELLING_MIN_CONFIDENCE

ESCO = "http://data.europa.eu/esco/"
BEE_BREEDER = ESCO + "occupation/026401a9-7d56-4d7b-8052-38985ddbeafa"
AGRONOMIST = ESCO + "occupation/c40ef517-d4ab-4932-b184-9c2ea5b24fe2"
COOK = ESCO + "occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
CARPENTER = ESCO + "occupation/2a22ff9e-de3b-408d-b312-5034896cc4f4"
MOVER = ESCO + "occupation/c84a055d-00fe-4789-a054-f4a62914ff6e"
BAKER = ESCO + "occupation/1aadb308-432a-4d01-b54b-b4f7f76dd419"
WAREHOUSE_WORKER = ESCO + "occupation/bea705fe-06ac-4147-b8e0-6e8ac1208d8f"
KITCHEN_ASSISTANT = ESCO + "occupation/e1cf6897-158d-4b48-a39e-2a3a8cac216c"
BREED_INSECTS = ESCO + "skill/17a0c89d-1c78-4543-a637-ce2a03dbea18"
ISCO_6123 = ESCO + "isco/C6123"

SHARED_DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
BUILTIN = Path(str(resources.files("matcher.taxonomy"))) / "data" / "esco-v1.1.1.zip"


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


def uri_of(tax: Taxonomy, label: str, kind: str = "occupation") -> str:
    labels = tax.occupation_labels if kind == "occupation" else tax.skill_labels
    uris = tax.occupation_uris if kind == "occupation" else tax.skill_uris
    return uris[labels.index(label)]


# --- contents -------------------------------------------------------------------------------


def test_counts(tax: Taxonomy) -> None:
    assert tax.version == "ESCO v1.1.1"
    assert len(tax.occupation_uris) == len(tax.occupation_labels) == 3007
    assert len(tax.occupation_isco) == 3007
    assert all(len(code) == 4 and code.isdigit() for code in tax.occupation_isco)
    assert len(tax.skill_uris) == len(tax.skill_labels) == 13_896 + 640
    assert tax.skill_is_group.dtype == bool and int(tax.skill_is_group.sum()) == 640
    assert tax.occupation_skills.shape == (3007, 13_896 + 640)
    assert tax.occupation_skills.dtype == np.float32
    # occupationSkillRelations.csv has 123,855 rows, but 67 of them belong to an occupation
    # (a9e54177-..., radiation therapist) that occupations_en.csv of v1.1.1 no longer lists.
    assert tax.occupation_skills.nnz == 123_855 - 67
    assert set(np.unique(tax.occupation_skills.data)) == {0.5, 1.0}
    # No relation points at a skill group.
    assert not tax.skill_is_group[tax.occupation_skills.indices].any()
    assert tax.provenance["dropped"]["occupationSkillRelations.csv: unknown URI or relation type"] \
        == 67


def test_skill_hierarchy(tax: Taxonomy) -> None:
    parents = tax.skill_parents
    assert sp.issparse(parents) and parents.format == "csr" and parents.dtype == bool
    assert parents.shape == (tax.n_skills, tax.n_skills)
    # 20,656 broader relations, 7 of which name skill groups that v1.1.1 does not define.
    assert parents.nnz == 20_656 - 7
    assert parents.diagonal().sum() == 0
    child = tax.skill_index(BREED_INSECTS)
    assert parents[child].nnz >= 1
    # Groups only have group parents.
    groups = np.flatnonzero(tax.skill_is_group)
    assert tax.skill_is_group[parents[groups].indices].all()


def test_bee_breeder(tax: Taxonomy) -> None:
    i = tax.occupation_index(BEE_BREEDER)
    assert tax.occupation_labels[i] == "bee breeder"
    assert tax.occupation_isco[i] == "6123"
    assert tax.occupation_styrk[i] == "6123"
    assert tax.styrk_labels["6123"] == "Birøktere mv."
    assert "birøkter" in tax.occupation_names["no"][i]
    assert "biavler" in tax.occupation_names["da"][i]
    row = tax.occupation_skills[i]
    skills = {tax.skill_labels[j]: w for j, w in zip(row.indices, row.data, strict=True)}
    assert "breed insects" in skills
    assert "process harvested honey" in skills
    assert i in tax.isco_groups["6123"] and i in tax.isco_groups["61"]
    assert tax.isco_labels["6123"] == "Apiarists and sericulturists"


def test_lookups_and_idf(tax: Taxonomy) -> None:
    assert tax.occupation_uris[tax.occupation_index(AGRONOMIST)] == AGRONOMIST
    with pytest.raises(KeyError, match="not an occupation"):
        tax.occupation_index(ESCO + "occupation/nope")
    with pytest.raises(KeyError, match="not a skill"):
        tax.skill_index(BEE_BREEDER)
    idf = tax.skill_idf
    assert idf.shape == (tax.n_skills,) and np.all(idf >= 1.0)
    common = np.argmin(idf)
    assert idf[tax.skill_index(BREED_INSECTS)] > idf[common]


# --- resolution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "uri", "method"),
    [
        # Norwegian
        ("birøkter", BEE_BREEDER, "exact"),
        ("birøktere", BEE_BREEDER, "inflection"),
        ("Birøktere mv.", BEE_BREEDER, "inflection"),
        ("BIRØKTER", BEE_BREEDER, "exact"),
        ("agronom", AGRONOMIST, "exact"),
        ("agronomen", AGRONOMIST, "inflection"),
        ("kokk", COOK, "exact"),
        ("kokker", COOK, "inflection"),
        ("Kokker", COOK, "inflection"),
        ("tømrere", CARPENTER, "inflection"),
        ("flyttemenn", MOVER, "inflection"),
        # Danish
        ("biavler", BEE_BREEDER, "exact"),
        ("biavlere", BEE_BREEDER, "inflection"),
        ("bagere", BAKER, "inflection"),
        ("lagerarbejdere", WAREHOUSE_WORKER, "inflection"),
        # English
        ("bee breeder", BEE_BREEDER, "exact"),
        ("beekeeper", BEE_BREEDER, "exact"),
        ("beekeepers", BEE_BREEDER, "inflection"),
        ("Bee  Breeders", BEE_BREEDER, "inflection"),
        ("bee-breeder", BEE_BREEDER, "normalised"),
        ("agronomist", AGRONOMIST, "exact"),
        ("cooks", COOK, "inflection"),
        ("kitchen-assistant", KITCHEN_ASSISTANT, "normalised"),
        ("kitchen_assistant ", KITCHEN_ASSISTANT, "normalised"),
        # typos
        ("birøkkter", BEE_BREEDER, "fuzzy"),
        ("agronomsit", AGRONOMIST, "fuzzy"),
        ("birokter", BEE_BREEDER, "fuzzy"),
        # URIs
        (BEE_BREEDER, BEE_BREEDER, "uri"),
        (f"  {AGRONOMIST} ", AGRONOMIST, "uri"),
    ],
)
def test_resolve_occupation(tax: Taxonomy, term: str, uri: str, method: str) -> None:
    r = tax.resolve(term, "occupation")
    assert isinstance(r, Resolution)
    assert (r.uri, r.method) == (uri, method)
    assert r.indices == (tax.occupation_index(uri),)
    assert r.label == tax.occupation_labels[r.indices[0]]
    assert r.term == term and r.kind == "occupation"
    assert 0.5 < r.confidence <= 1.0


@pytest.mark.parametrize(
    ("term", "label", "method"),
    [
        ("breed insects", "breed insects", "exact"),
        ("Breed-Insects", "breed insects", "normalised"),
        ("breeds insects", "breed insects", "inflection"),
        ("process harvested honey", "process harvested honey", "exact"),
        ("proces harvested honey", "process harvested honey", "fuzzy"),
        ("sew pieces of fabric", "sew pieces of fabric", "exact"),
        ("sews piece of fabric", "sew pieces of fabric", "inflection"),
        ("speak norwegian", "interact verbally in Norwegian", "exact"),
        ("C++", "C++", "exact"),
        (BREED_INSECTS, "breed insects", "uri"),
    ],
)
def test_resolve_skill(tax: Taxonomy, term: str, label: str, method: str) -> None:
    r = tax.resolve(term, "skill")
    assert (r.label, r.method) == (label, method)
    assert r.indices == (tax.skill_index(uri_of(tax, label, "skill")),)
    assert r.uri == tax.skill_uris[r.indices[0]]


def test_resolve_skill_group_uri(tax: Taxonomy) -> None:
    group = int(np.flatnonzero(tax.skill_is_group)[0])
    r = tax.resolve(tax.skill_uris[group], "skill")
    assert r.indices == (group,) and r.method == "uri"


@pytest.mark.parametrize("term", ["6123", "STYRK 6123", "ISCO 6123", "styrk-08: 6123", ISCO_6123])
def test_resolve_code_to_group(tax: Taxonomy, term: str) -> None:
    r = tax.resolve(term, "occupation")
    assert r.uri == ISCO_6123
    assert r.label == "Apiarists and sericulturists"
    assert r.method == ("uri" if term == ISCO_6123 else "code")
    assert r.indices == tuple(int(i) for i in tax.isco_groups["6123"])
    assert tax.occupation_index(BEE_BREEDER) in r.indices


def test_code_of_a_bigger_group(tax: Taxonomy) -> None:
    r = tax.resolve("5120", "occupation")
    assert len(r.indices) > 1
    assert all(tax.occupation_isco[i] == "5120" for i in r.indices)
    assert r.indices == tuple(sorted(r.indices))


def test_group_title_without_an_occupation_of_that_name(tax: Taxonomy) -> None:
    r = tax.resolve("Carpenters and joiners", "occupation")
    assert r.uri == ESCO + "isco/C7115" and r.method == "exact"
    assert set(r.indices) == set(tax.isco_groups["7115"].tolist())


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("xyzzy plugh", "occupation"),
        ("6123", "skill"),
        ("9999", "occupation"),
        (ESCO + "occupation/00000000-0000-0000-0000-000000000000", "occupation"),
        (BEE_BREEDER, "skill"),
        ("", "occupation"),
        ("   ", "skill"),
        ("--", "skill"),
    ],
)
def test_unresolved(tax: Taxonomy, term: str, kind: str) -> None:
    r = tax.resolve(term, kind)  # type: ignore[arg-type]
    assert not r.resolved
    assert r.indices == () and r.uri is None and r.label is None
    # Nothing, or a guess by spelling too unsure to take (its method and confidence kept).
    assert (r.method, r.confidence) == (None, 0.0) or (
        r.method in SPELLING_METHODS and r.confidence < SPELLING_MIN_CONFIDENCE)


@pytest.mark.parametrize(
    ("term", "kind", "expected"),
    [
        ("sew garments", "skill", "sew underwear"),
        ("honey", "skill", "honey varieties"),
        ("teamwork", "skill", "teamwork principles"),
        ("vaskehjelp", "occupation", "home care aide"),
    ],
)
def test_unresolved_terms_come_with_suggestions(tax: Taxonomy, term: str, kind: str,
                                                expected: str) -> None:
    r = tax.resolve(term, kind)  # type: ignore[arg-type]
    assert not r.resolved
    assert 1 <= len(r.suggestions) <= 5
    assert expected in r.suggestions
    # A suggestion is a preferred label, so it resolves exactly.
    assert all(tax.resolve(s, kind).method == "exact" for s in r.suggestions)  # type: ignore[arg-type]


def test_ambiguous_label_is_deterministic_and_less_confident(tax: Taxonomy) -> None:
    r = tax.resolve("lagermedarbeider", "occupation")
    assert r.resolved and r.confidence < 1.0 and r.suggestions
    assert tax.resolve("lagermedarbeider", "occupation") == r
    chosen = r.indices[0]
    # Every tied candidate has a higher index: ties go to the lowest index.
    tied = [tax.occupation_labels.index(s) for s in r.suggestions if s in tax.occupation_labels]
    assert any(t > chosen for t in tied)


def test_resolve_many_matches_resolve(tax: Taxonomy) -> None:
    terms = ["birøktere", "agronom", "birøktere", "xyzzy", "6123", "birøktere"]
    many = tax.resolve_many(terms, "occupation")
    assert many == [tax.resolve(t, "occupation") for t in terms]
    assert many[0] is many[2] is many[5]


def test_bad_kind_and_term(tax: Taxonomy) -> None:
    with pytest.raises(ValueError, match=r"'kind' parameter of Taxonomy\.resolve"):
        tax.resolve("cook", "job")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a str"):
        tax.resolve(None, "occupation")  # type: ignore[arg-type]


def test_two_thousand_distinct_terms_resolve_fast(tax: Taxonomy) -> None:
    occupation_terms = sorted({name for names in tax.occupation_names["no"] for name in names})
    skill_terms = [label + "s" for label in tax.skill_labels[:1000]]
    terms = occupation_terms[:1000]
    tax.resolve_many(["warm up the indexes"], "occupation")
    tax.resolve_many(["warm up the indexes"], "skill")
    start = time.perf_counter()
    out = tax.resolve_many(terms, "occupation") + tax.resolve_many(skill_terms, "skill")
    elapsed = time.perf_counter() - start
    assert sum(r.resolved for r in out) >= 0.95 * len(out)
    # The budget is 2 s on a laptop; the bound leaves room for a slow CI machine.
    assert elapsed < 6.0


# --- loading --------------------------------------------------------------------------------


def test_builtin_is_loaded_once(tax: Taxonomy) -> None:
    assert load_taxonomy() is tax
    assert load_taxonomy(BUILTIN) is not tax


def test_snapshot_round_trip(tax: Taxonomy, tmp_path: Path) -> None:
    out = tmp_path / "copy.zip"
    size = tax.save(out)
    assert size == out.stat().st_size
    assert out.read_bytes() == BUILTIN.read_bytes()
    again = load_taxonomy(out)
    assert again.occupation_uris == tax.occupation_uris
    assert (again.occupation_skills != tax.occupation_skills).nnz == 0
    assert again.resolve("birøktere", "occupation").uri == BEE_BREEDER


def test_snapshot_size_and_fixed_dates() -> None:
    assert BUILTIN.stat().st_size <= 8_000_000
    with zipfile.ZipFile(BUILTIN) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.zip"
    with pytest.raises(TaxonomyError, match=r"nowhere\.zip.*no such file"):
        load_taxonomy(missing)


def test_corrupt_zip_raises(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(BUILTIN.read_bytes()[:5000])
    with pytest.raises(TaxonomyError, match=r"broken\.zip.*not a zip file"):
        load_taxonomy(broken)


def test_zip_that_is_not_a_snapshot_raises(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("occupations_en.csv", "conceptUri\n")
    with pytest.raises(TaxonomyError, match=r"other\.zip.*not a matcher snapshot"):
        load_taxonomy(other)


def test_snapshot_with_a_damaged_entry_raises(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(BUILTIN) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, b"{not json" if info.filename == "skills.json" else data)
    with pytest.raises(TaxonomyError, match=r"damaged\.zip.*skills\.json.*not valid JSON"):
        load_taxonomy(damaged)


def test_other_file_types_and_empty_folders_raise(tmp_path: Path) -> None:
    text = tmp_path / "taxonomy.csv"
    text.write_text("x\n")
    with pytest.raises(TaxonomyError, match="expected a snapshot"):
        load_taxonomy(text)
    with pytest.raises(TaxonomyError, match=r"lacks occupations_en\.csv"):
        load_taxonomy(tmp_path)


# --- the build ------------------------------------------------------------------------------


@pytest.mark.artefacts
@pytest.mark.shared_data
def test_snapshot_is_reproducible_and_up_to_date(tmp_path: Path) -> None:
    esco = SHARED_DATA / "esco"
    crosswalk = SHARED_DATA / "crosswalks" / "esco-styrk08-no-2022-09-20.csv"
    titles = [SHARED_DATA / "nav" / "nav-job-titles-styrk08-dev.csv",
              SHARED_DATA / "crosswalks" / "esco-star-dk-2021-11-10.csv"]
    if not esco.is_dir() or not crosswalk.is_file() or not all(p.is_file() for p in titles):
        pytest.skip(f"the reference data is not at {SHARED_DATA.resolve()}")
    out, again = tmp_path / "esco-v1.1.1.zip", tmp_path / "again.zip"
    compile_taxonomy(esco, crosswalk, titles=titles).save(out)
    compile_taxonomy(esco, crosswalk, titles=titles).save(again)

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(out) == digest(again), "two builds from the same files differ"

    def entries(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as zf:
            return {name: zf.read(name) for name in zf.namelist()}

    fresh, shipped = entries(out), entries(BUILTIN)
    assert sorted(fresh) == sorted(shipped)
    # the stored stem table depends on the installed stemmer's version (recorded in meta.json);
    # every other entry must be the same whatever the environment
    same_stemmer = json.loads(fresh["meta.json"]).get("stemmer") == json.loads(
        shipped["meta.json"]).get("stemmer")
    for name in sorted(fresh):
        if not same_stemmer and name in ("stems.json", "meta.json"):
            continue
        assert fresh[name] == shipped[name], (
            f"{name} in the shipped snapshot differs from a fresh build; rebuild it with "
            "python -m matcher._build.compile (see its module docstring)")
