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

__all__ = ["ADAPTATIONS", "AdaptationMatch", "normalise_adaptation", "resolve_adaptation"]

#: canonical key -> (English label, synonyms in English, Norwegian and Danish)
ADAPTATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "wheelchair_access": (
        "wheelchair access",
        (
            "wheelchair access", "wheelchair accessible", "step-free access", "step free access",
            "accessible workplace", "rullestoltilgang", "tilgjengelig for rullestol",
            "rullestolvennlig", "universell utforming", "kørestolsadgang",
            "tilgængelig for kørestol", "handicapvenlig",
        ),
    ),
    "quiet_workplace": (
        "quiet workplace",
        (
            "quiet workplace", "quiet work environment", "quiet environment", "low noise",
            "stille arbeidsplass", "rolig arbeidsplass", "rolig arbeidsmiljø",
            "stille arbejdsplads", "rolig arbejdsplads", "roligt arbejdsmiljø",
        ),
    ),
    "flexible_hours": (
        "flexible hours",
        (
            "flexible hours", "flexible working hours", "flexitime", "fleksibel arbeidstid",
            "fleksitid", "fleksible timer", "fleksibel arbejdstid", "flekstid",
        ),
    ),
    "part_time": (
        "part-time",
        (
            "part-time", "part time", "reduced hours", "deltid", "redusert arbeidstid",
            "gradert arbeidstid", "nedsat tid", "nedsat arbejdstid",
        ),
    ),
    "language_support": (
        "language support",
        (
            "language support", "language training", "interpreter", "språkstøtte",
            "språkopplæring", "norskopplæring", "tolk", "sprogstøtte", "sprogundervisning",
            "danskundervisning",
        ),
    ),
    "mentor": (
        "mentor or job coach",
        (
            "mentor", "job coach", "follow-up", "follow up", "supported employment",
            "mentorordning", "jobbveileder", "arbeidsinkludering", "oppfølging", "tett oppfølging",
            "jobkonsulent", "opfølgning",
        ),
    ),
    "adapted_tasks": (
        "adapted tasks",
        (
            "adapted tasks", "adjusted tasks", "tilrettelagte oppgaver",
            "tilpassede arbeidsoppgaver", "tilrettelegging", "tilpassede opgaver",
            "tilpassede arbejdsopgaver",
        ),
    ),
    "extra_breaks": (
        "extra breaks",
        ("extra breaks", "rest breaks", "ekstra pauser", "hvilepauser"),
    ),
    "light_physical_work": (
        "light physical work",
        (
            "light physical work", "light work", "no heavy lifting", "lett fysisk arbeid",
            "ingen tunge løft", "let fysisk arbejde",
        ),
    ),
    "remote_work": (
        "remote work",
        ("remote work", "home office", "work from home", "hjemmekontor", "fjernarbeid",
         "hjemmearbejde"),
    ),
    "transport_support": (
        "transport support",
        ("transport support", "transport", "transportstøtte", "arbeidsreise",
         "transporttilskud"),
    ),
    "assistive_technology": (
        "assistive technology",
        ("assistive technology", "screen reader", "hearing loop", "hjelpemidler",
         "skjermleser", "teleslynge", "hjælpemidler", "skærmlæser"),
    ),
}

_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_adaptation(term: str) -> str:
    """Lower-case, Unicode-normalise, and fold punctuation and spacing to single spaces."""
    text = unicodedata.normalize("NFKC", term).casefold()
    return _WORD.sub(" ", text).strip()


_SYNONYMS: dict[str, str] = {
    normalise_adaptation(syn): key for key, (_, syns) in ADAPTATIONS.items() for syn in syns
}
_CHOICES = sorted(_SYNONYMS)


@dataclass(frozen=True, slots=True)
class AdaptationMatch:
    """An adaptation term mapped to its key; ``known`` is False for terms outside the vocabulary."""

    key: str
    label: str
    known: bool
    suggestions: tuple[str, ...] = ()


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
        return AdaptationMatch(key=key, label=ADAPTATIONS[key][0], known=True)
    near = process.extract(norm, _CHOICES, scorer=fuzz.WRatio, limit=3)
    suggestions = tuple(dict.fromkeys(ADAPTATIONS[_SYNONYMS[c]][0] for c, _, _ in near))
    return AdaptationMatch(key=f"other:{norm}", label=norm, known=False, suggestions=suggestions)
