"""Resolution properties and pinned national group titles (no/da/en)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.taxonomy import Taxonomy, load_taxonomy
from matcher.taxonomy.resolve import normalise

TAX = load_taxonomy()


def owners(tax: Taxonomy, lang: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for i, labels in enumerate(tax.occupation_names[lang]):
        for label in labels:
            found.setdefault(normalise(label), set()).add(i)
    return found


OWNERS = {lang: owners(TAX, lang) for lang in ("en", "no", "da")}
LABELS = {lang: sorted({(names[0], i) for i, names in enumerate(TAX.occupation_names[lang])
                        if names}) for lang in ("en", "no", "da")}


@st.composite
def variant(draw: st.DrawFn) -> tuple[str, str, str]:
    lang = draw(st.sampled_from(["en", "no", "da"]))
    label, _ = draw(st.sampled_from(LABELS[lang]))
    words = label.split()
    joiners = draw(st.lists(st.sampled_from([" ", "  ", "-", " - ", "_"]),
                            min_size=len(words) - 1, max_size=len(words) - 1))
    text = words[0] + "".join(j + w for j, w in zip(joiners, words[1:], strict=True))
    text = draw(st.sampled_from([str.lower, str.upper, str.title, str.swapcase]))(text)
    pad = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return lang, label, pad + text + pad[::-1]


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(variant())
def test_a_known_label_in_any_case_spacing_or_hyphenation_resolves_to_itself(
        case: tuple[str, str, str]) -> None:
    _, label, term = case
    r = TAX.resolve(term, "occupation")
    # Any concept carrying that label in any language is right ("vvs-tekniker" is Danish too).
    accepted = set().union(*(OWNERS[other].get(normalise(label), set()) for other in OWNERS))
    assert r.resolved and r.indices[0] in accepted, (term, r)
    assert r.method in ("exact", "normalised")
    assert r.candidates[0] == r.uri


@pytest.mark.parametrize(
    ("term", "label", "method"),
    [
        # Norwegian national titles (STYRK-08 group titles, plural, "mv.")
        ("Radiografer", "radiographer", "inflection"),
        ("Radiografer mv.", "radiographer", "inflection"),
        ("Sykepleiere", "nurse responsible for general care", "inflection"),
        ("Ledere av eldreomsorg", "elderly home manager", "exact"),
        ("Birøktere mv.", "bee breeder", "inflection"),
        ("lagerarbeidere", "warehouse worker", "inflection"),
        # Danish
        ("bagere", "baker", "inflection"),
        ("Biavlere", "bee breeder", "inflection"),
        ("lager-arbejder", "warehouse worker", "normalised"),
        # English
        ("Bee-Keepers", "bee breeder", "inflection"),
        ("kitchen  assistants", "kitchen assistant", "inflection"),
    ],
)
def test_national_titles(term: str, label: str, method: str) -> None:
    r = TAX.resolve(term, "occupation")
    assert (r.label, r.method) == (label, method)
    assert r.candidates[0] == r.uri


def test_a_title_naming_an_occupation_of_another_group_is_less_certain() -> None:
    r = TAX.resolve("Radiografer", "occupation")
    assert r.confidence < 0.85
    assert "http://data.europa.eu/esco/isco/C321" in r.candidates


def test_language_restriction() -> None:
    assert TAX.resolve("biavler", "occupation", "da").label == "bee breeder"
    assert not TAX.resolve("biavler", "occupation", "en").resolved
    assert TAX.resolve("biavler", "occupation", "auto").language == "da"
    with pytest.raises(ValueError, match="'language' parameter"):
        TAX.resolve("biavler", "occupation", "xx")


def test_ambiguous_terms_list_their_candidates() -> None:
    r = TAX.resolve("lagermedarbeider", "occupation")
    assert r.confidence <= 0.7
    assert len(r.candidates) >= 2 and r.candidates[0] == r.uri


@pytest.mark.parametrize(("term", "general", "specific"), [
    ("lagermedarbejder", "warehouse worker", "leather goods warehouse operator"),
    ("lagermedarbeider", "warehouse worker", "warehouse order picker"),
])
def test_a_label_shared_by_several_occupations_means_the_most_general(
    term: str, general: str, specific: str
) -> None:
    res = load_taxonomy().resolve(term, "occupation")
    assert res.label == general
    assert specific in res.suggestions
    assert res.confidence < 0.8  # an ambiguous answer never claims high confidence
