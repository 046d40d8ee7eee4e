"""Term autocomplete: labels of occupations, skills and adaptations that start like what was typed.

Preferred labels in English, Norwegian and Danish are indexed once per taxonomy; a query matches
a label that starts with it first, then one with a word that starts with it (``birøk`` finds
``birøkter``, ``honning`` finds ``slynge honning``). Case and accents of the query are kept; the
comparison is case-insensitive.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from typing import Literal

from matcher.taxonomy import Taxonomy
from matcher.taxonomy.adaptations import resolve_adaptation

__all__ = ["TermIndex", "TermKind"]

TermKind = Literal["occupation", "skill", "adaptation"]
LANGUAGES = ("en", "no", "da")
_ADAPTATION_WORDS = (
    "quiet workplace", "stille arbeidsplass", "flexible hours", "fleksibel arbeidstid",
    "language support", "språkstøtte", "wheelchair access", "rullestoltilgang", "mentor",
    "adapted tasks", "tilrettelagte oppgaver", "extra breaks", "ekstra pauser",
    "assistive technology",
)


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    label: str
    lang: str
    uri: str | None


class TermIndex:
    """Autocomplete over one taxonomy (built on first use, then shared)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._lock = threading.Lock()
        self._built: dict[str, tuple[list[str], list[_Entry]]] = {}

    def _index(self, kind: TermKind) -> tuple[list[str], list[_Entry]]:
        with self._lock:
            built = self._built.get(kind)
            if built is None:
                built = self._built[kind] = self._build(kind)
            return built

    def _build(self, kind: TermKind) -> tuple[list[str], list[_Entry]]:
        entries: dict[tuple[str, str], _Entry] = {}
        if kind == "adaptation":
            for word in _ADAPTATION_WORDS:
                if resolve_adaptation(word).known:  # only words the matcher understands
                    entries[(word.casefold(), "")] = _Entry(word.casefold(), word, "", None)
        else:
            names = (self.taxonomy.occupation_names if kind == "occupation"
                     else self.taxonomy.skill_names)
            uris = (self.taxonomy.occupation_uris if kind == "occupation"
                    else self.taxonomy.skill_uris)
            for lang in LANGUAGES:
                for i, labels in enumerate(names.get(lang, ())):
                    if labels:
                        key = labels[0].casefold()
                        entries.setdefault((key, lang), _Entry(key, labels[0], lang, uris[i]))
        ordered = sorted(entries.values(), key=lambda e: (e.key, e.lang))
        return [e.key for e in ordered], ordered

    def complete(self, query: str, kind: TermKind, limit: int = 10) -> list[dict[str, str | None]]:
        """Up to ``limit`` labels for ``query``: prefix matches first, then word-prefix ones."""
        q = " ".join(query.casefold().split())
        if not q:
            return []
        keys, entries = self._index(kind)
        found: list[_Entry] = []
        start = bisect.bisect_left(keys, q)
        for entry in entries[start:]:
            if not entry.key.startswith(q) or len(found) >= limit:
                break
            found.append(entry)
        if len(found) < limit:
            needle = " " + q
            for entry in entries:
                if needle in entry.key and entry not in found:
                    found.append(entry)
                    if len(found) >= limit:
                        break
        return [{"label": e.label, "lang": e.lang or None, "uri": e.uri} for e in found]
