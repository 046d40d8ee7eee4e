"""Workplace adaptations: what a seeker needs and what a role offers, in one small vocabulary.

ESCO has no concept for "quiet workplace" or "wheelchair access", yet these decide whether a
place can work for someone. Caseworkers and enterprises write them in English, Norwegian or
Danish, so each canonical adaptation carries its synonyms. A term outside the vocabulary is kept
as its own normalised key (two sides that write the same words still meet) and is reported as a
warning with the closest known adaptations, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

__all__ = [
    "ADAPTATIONS",
    "Adaptation",
    "AdaptationMatch",
    "adaptation_label",
    "normalise_adaptation",
    "resolve_adaptation",
]

@dataclass(frozen=True, slots=True)
class Adaptation:
    """One canonical adaptation: its name in each reason language and the words that mean it."""

    en: str
    nb: str
    da: str
    synonyms: tuple[str, ...]

    def label(self, lang: str) -> str:
        """The name to show in reasons written in ``lang`` ('en', 'nb' or 'da')."""
        return str(getattr(self, lang))


#: canonical key -> names (English, bokmål, Danish) and synonyms in the three languages. The
#: names are written as a caseworker would write them in a sentence ("trenger rullestoltilgang").
ADAPTATIONS: dict[str, Adaptation] = {
    "wheelchair_access": Adaptation(
        "wheelchair access", "rullestoltilgang", "kørestolsadgang",
        (
            "wheelchair access", "wheelchair accessible", "wheelchair accessibility",
            "step-free access", "step free access", "accessible workplace", "accessibility",
            "rullestoltilgang", "rullestoltilgjengelig", "tilgjengelig for rullestol",
            "tilgang for rullestol", "rullestolvennlig", "universell utforming",
            "trinnfri adkomst", "kørestolsadgang", "kørestolsvenlig", "tilgængelig for kørestol",
            "adgang for kørestol", "handicapvenlig", "handicapvenlig arbejdsplads",
            "niveaufri adgang",
        ),
    ),
    "quiet_workplace": Adaptation(
        "quiet workplace", "stille arbeidsplass", "stille arbejdsplads",
        (
            "quiet workplace", "quiet work environment", "quiet environment", "quiet room",
            "low noise", "stille arbeidsplass", "rolig arbeidsplass", "rolig arbeidsmiljø",
            "stille arbeidsmiljø", "skjermet arbeidsplass", "stille rom", "stille arbejdsplads",
            "rolig arbejdsplads", "roligt arbejdsmiljø", "stille arbejdsmiljø",
            "skærmet arbejdsplads", "stille rum",
        ),
    ),
    "flexible_hours": Adaptation(
        "flexible hours", "fleksibel arbeidstid", "fleksibel arbejdstid",
        (
            "flexible hours", "flexible working hours", "flexitime", "flextime",
            "fleksibel arbeidstid", "fleksible arbeidstider", "fleksitid", "fleksible timer",
            "fleksibel arbejdstid", "fleksible arbejdstider", "flekstid", "flextid",
        ),
    ),
    "part_time": Adaptation(
        "part-time", "deltid", "deltid",
        (
            "part-time", "part time", "reduced hours", "deltid", "deltidsstilling",
            "redusert arbeidstid", "gradert arbeidstid", "nedsatt arbeidstid", "nedsat tid",
            "nedsat arbejdstid",
        ),
    ),
    "language_support": Adaptation(
        "language support", "språkstøtte", "sprogstøtte",
        (
            "language support", "language training", "language help", "interpreter",
            "språkstøtte", "språkhjelp", "språkopplæring", "språktrening", "norskopplæring",
            "norskundervisning", "tolk", "sprogstøtte", "sproghjælp", "sprogundervisning",
            "danskundervisning", "sprogtræning",
        ),
    ),
    "mentor": Adaptation(
        "mentor or job coach", "mentor eller jobbveileder", "mentor eller jobkonsulent",
        (
            "mentor", "job coach", "follow-up", "follow up", "supported employment",
            "mentorordning", "jobbveileder", "jobbcoach", "arbeidsinkludering", "oppfølging",
            "tett oppfølging", "fadder", "jobkonsulent", "opfølgning", "tæt opfølgning",
            "jobcoach",
        ),
    ),
    "adapted_tasks": Adaptation(
        "adapted tasks", "tilrettelagte oppgaver", "tilpassede opgaver",
        (
            "adapted tasks", "adjusted tasks", "adapted workplace", "adjusted workplace",
            "tilrettelagte oppgaver", "tilrettelagte arbeidsoppgaver", "tilpassede oppgaver",
            "tilpassede arbeidsoppgaver", "tilrettelegging", "tilrettelagt arbeid",
            "tilrettelagt arbeidsplass", "tilpasset arbeidsplass", "tilpassede opgaver",
            "tilpassede arbejdsopgaver", "tilpasset arbejde", "tilpasset arbejdsplads",
        ),
    ),
    "extra_breaks": Adaptation(
        "extra breaks", "ekstra pauser", "ekstra pauser",
        ("extra breaks", "rest breaks", "more breaks", "ekstra pauser", "hvilepauser",
         "flere pauser", "pauser ved behov"),
    ),
    "light_physical_work": Adaptation(
        "light physical work", "lett fysisk arbeid", "let fysisk arbejde",
        (
            "light physical work", "light work", "light duties", "no heavy lifting",
            "lett fysisk arbeid", "lett arbeid", "ingen tunge løft", "lite tunge løft",
            "let fysisk arbejde", "let arbejde",
        ),
    ),
    "remote_work": Adaptation(
        "remote work", "hjemmekontor", "hjemmearbejde",
        ("remote work", "home office", "work from home", "hjemmekontor", "fjernarbeid",
         "hjemmearbeid", "hjemmearbejde", "fjernarbejde", "arbejde hjemmefra"),
    ),
    "transport_support": Adaptation(
        "transport support", "hjelp til transport", "hjælp til transport",
        ("transport support", "transport", "travel support", "transportstøtte",
         "arbeidsreise", "hjelp til transport", "tilrettelagt transport", "transporttilskud",
         "befordringstilskud", "hjælp til transport"),
    ),
    "assistive_technology": Adaptation(
        "assistive technology", "hjelpemidler", "hjælpemidler",
        ("assistive technology", "assistive devices", "screen reader", "hearing loop",
         "hjelpemidler", "tekniske hjelpemidler", "skjermleser", "teleslynge", "hjælpemidler",
         "tekniske hjælpemidler", "skærmlæser"),
    ),
}

_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_adaptation(term: str) -> str:
    """Lower-case, Unicode-normalise, and fold punctuation and spacing to single spaces."""
    text = unicodedata.normalize("NFKC", term).casefold()
    return _WORD.sub(" ", text).strip()


_SYNONYMS: dict[str, str] = {
    normalise_adaptation(syn): key for key, entry in ADAPTATIONS.items() for syn in entry.synonyms
}
_CHOICES = sorted(_SYNONYMS)


@dataclass(frozen=True, slots=True)
class AdaptationMatch:
    """An adaptation term mapped to its key; ``known`` is False for terms outside the vocabulary."""

    key: str
    label: str
    known: bool
    suggestions: tuple[str, ...] = ()
    #: the keys of ``suggestions``
    suggested_keys: tuple[str, ...] = ()


def resolve_adaptation(term: str) -> AdaptationMatch:
    """Map an adaptation term to its canonical key.

    >>> resolve_adaptation("Rullestoltilgang").key
    'wheelchair_access'
    >>> resolve_adaptation("quiet  work-place").key
    'quiet_workplace'
    >>> resolve_adaptation("a sunny desk").known
    False
    """
    norm = normalise_adaptation(term)
    key = _SYNONYMS.get(norm) or _SYNONYMS.get(norm.replace(" ", ""))
    if key is None:
        best = process.extractOne(norm, _CHOICES, scorer=fuzz.ratio, score_cutoff=88)
        if best is not None:
            key = _SYNONYMS[best[0]]
    if key is not None:
        return AdaptationMatch(key=key, label=ADAPTATIONS[key].en, known=True)
    near = process.extract(norm, _CHOICES, scorer=fuzz.WRatio, limit=3)
    keys = tuple(dict.fromkeys(_SYNONYMS[c] for c, _, _ in near))
    return AdaptationMatch(key=f"other:{norm}", label=norm, known=False,
                           suggestions=tuple(ADAPTATIONS[k].en for k in keys), suggested_keys=keys)


def adaptation_label(key: str, lang: str) -> str:
    """The name of adaptation ``key`` in reasons written in ``lang``.

    A term outside the vocabulary (key ``other:...``) keeps the words it was written with.

    >>> adaptation_label("wheelchair_access", "nb"), adaptation_label("part_time", "da")
    ('rullestoltilgang', 'deltid')
    >>> adaptation_label("other:a sunny desk", "nb")
    'a sunny desk'
    """
    entry = ADAPTATIONS.get(key)
    if entry is None:
        return key.removeprefix("other:")
    return entry.label(lang)
