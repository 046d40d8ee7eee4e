"""Resolve what a caseworker typed to a taxonomy concept.

A term is tried as, in order (for an occupation, with what says when or how long left out
first: ``kokk i 3 år``, ``renholder 2015-2019``, ``tidligere kokk``, ``erfaring som kokk``,
``kokk - deltid`` are all ``kokk``; :func:`without_context`):

1. ``uri``: an ESCO URI (occupation, skill, skill group, ISCO group). Unknown URIs stay
   unresolved; they are never matched as text.
2. ``code``: a 4-digit ISCO-08 or STYRK-08 code (``"6123"``, ``"STYRK 6123"``), occupations only;
   it stands for every occupation of the group.
3. ``exact``: a label, ignoring case (English preferred, alt and hidden labels; labels in the
   other languages of the taxonomy; ISCO group titles).
4. ``normalised``: the same after Unicode (NFKC) folding, with hyphens, underscores, punctuation,
   extra spaces and trailing "mv." / "m.fl." / "m.m." / "etc." removed; then the same without
   any spaces, so a compound meets its joined, spaced and hyphenated spellings.
5. ``inflection``: the same after reducing each word to its stem in each language (Snowball,
   applied until it stops changing, plus a few irregular plurals such as menn -> mann), so
   plurals and definite forms match: birøktere -> birøkter, agronomen -> agronom, biavlere ->
   biavler, beekeepers -> beekeeper.
6. ``fuzzy``: the nearest normalised label by edit similarity (rapidfuzz ``ratio`` >= 85);
   ``compound``: a Norwegian or Danish compound through its head and modifier;
   ``similar``: the STYRK-08 group the group model (naive Bayes over character n-grams of the
   Norwegian and Danish labels and titles, :class:`_GroupModel`) ranks first. Answers by
   spelling alone are taken only at :data:`SPELLING_MIN_CONFIDENCE` or more.

The first step that finds anything decides. Within it an occupation beats an ISCO group, and a
group title that names an occupation of its own group lands on that occupation ("Birøktere mv."
is bee breeder, not the group "Apiarists and sericulturists"), and a group of a single occupation
lands on that occupation, with the group's next occupation after it (:data:`GROUP_SIBLINGS`).
Remaining ties go to the English preferred label, then other preferred labels, then alt
labels, then the concept with the shortest English preferred label (the most general), then
the lowest index, and lower the confidence; where a Danish job centres' (STAR) title says the
same words, the concepts nearest in ISCO-08 to its occupations go first. The candidates not
chosen are listed in ``suggestions``. Every answer by a label
or by spelling then lists the group model's other groups among its candidates, one occupation
per group, so the first five candidates name five groups where the evidence is split.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import logging
import math
import re
import threading
import unicodedata
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl
import scipy.sparse as sp
import snowballstemmer
from rapidfuzz import fuzz, process

from matcher.io.write import atomic_file
from matcher.taxonomy.cachedir import cache_dir, code_stamp
from matcher.taxonomy.wordmodel import MIN_HEAD as _WORD_HEAD
from matcher.taxonomy.wordmodel import WordModel, count_features, load_word_model
from matcher.validate import parameter_error

if TYPE_CHECKING:
    from matcher.taxonomy.model import Taxonomy

__all__ = ["Resolution", "Resolver", "build_stem_table", "normalise", "stem_key", "stemmer_version"]

log = logging.getLogger(__name__)

Kind = Literal["occupation", "skill"]
Method = Literal["uri", "code", "exact", "normalised", "inflection", "compound", "fuzzy",
                 "similar"]
SPELLING_METHODS = ("compound", "fuzzy", "similar")
"""Methods that find a concept by spelling alone."""

CONFIDENCE: dict[str, float] = {"uri": 1.0, "code": 1.0, "exact": 1.0, "normalised": 0.95,
                                "inflection": 0.85, "compound": 0.85, "fuzzy": 0.9, "similar": 0.9}
"""Confidence of a unique match by method; a fuzzy match is further scaled by its similarity."""
AMBIGUITY_FACTOR = 0.7
"""Confidence is multiplied by this when several concepts tie for the best match."""
GROUP_SIBLINGS = 1
"""Occupations of a group, besides the one its title names, offered right after the answer to
the group's title (``Resolution.tied``); a second one costs NAV's held-out titles at 5."""
FUZZY_CUTOFF = 85.0
"""Least rapidfuzz ``ratio`` (0-100) for a fuzzy match: one typo in a 7-letter word passes."""
SUGGESTION_CUTOFF = 60.0
TITLE_VOTE = 2.0
"""Weight of a national title's vote in the ``similar`` step (an ESCO label's is 1)."""
SIMILAR_MIN_COSINE = 0.3
"""A label farther than this (n-gram cosine) from the term has no vote: a vote of strangers
would otherwise be unanimous in a small taxonomy."""
SIMILAR_NEIGHBOURS = 20
"""Nearest labels (character n-grams) that vote on the suggestions for an unresolved term."""
SPELLING_MIN_CONFIDENCE = 0.75
"""Least confidence at which an answer found by spelling alone (``fuzzy``, ``compound``) is
taken; below it the term stays unresolved and its candidates are suggestions. Calibrated on NAV
titles held out (``benchmarks/bench_resolve.py``; docs/taxonomy.md)."""
VARIANT_FACTOR = 0.95
"""Confidence factor of a gender or nynorsk form (syerske -> syer, arbeidar -> arbeider)."""
COMPOUND_FACTOR = 0.9
"""Confidence factor of a compound resolved through its head and modifier."""
COMPOUND_WEAK_FACTOR = 0.85
"""Further factor when the modifier found no label of its own among the head's."""
COMPOUND_BEFORE_FUZZY = 90.0
"""A typo this close to a label (``ratio``) is taken as a typo before compounds are tried."""
MIN_MODIFIER, MIN_HEAD, MIN_ROOT = 3, 4, 4
MIN_HEADED = 5
"""Least number of compounds a bare head must end for them to say what it means."""
# Heads that name no occupation of their own: "someone who works with" the modifier.
_GENERIC_HEADS = ("medarbeider", "medarbejder", "arbeider", "arbejder", "arbeidar",
                  "medhjelper", "medhjælper", "hjelper", "hjælper", "hjelp", "ansatt")
TITLE_EVIDENCE = 70.0
"""Least rapidfuzz ``ratio`` between a national title and an occupation's label that counts as
evidence for that occupation among the title's group."""
TITLE_GROUP_FACTOR = 0.95
"""Confidence factor of a title answered by its group's most general occupation."""
BASE_TITLE_FACTOR = 0.85
"""Confidence factor of a match on a title's base, its qualifier in parentheses left out."""
GROUP_TITLE_WEIGHT = 6.0
"""Weight of a NAV title in the group model (an ESCO label's, a group title's or an ESCO-STAR
title's is 1): NAV's own titles speak for NAV's coding more than a crosswalk does."""
GROUP_ALPHA = 0.01
"""Additive smoothing of the group model (multinomial naive Bayes over TF-IDF mass)."""
GROUP_TEMPERATURE = 3.0
"""The group model's log-likelihoods are divided by this before they become shares (naive
Bayes is overconfident; 3 makes a share about the chance of the right group, calibrated on NAV
titles held out)."""
WORD_WEIGHT = 3.0
"""The word model's scores (:mod:`matcher.taxonomy.wordmodel`) are added to the group model's
log-likelihoods, divided by :data:`GROUP_TEMPERATURE`, with this weight (chosen on the folds
grouped by base; 3 was best split by title too), except where they would move the first group
to another ISCO major group."""
GUESS_MIN_SHARE = 0.1
"""A compound or fuzzy guess stands when the group model gives its group at least this share."""
BASE_GUESS_MIN_SHARE = 1.0
"""The answer of a title's base, its qualifier unknown, stands only where it is the group
model's first group (the model reads the qualifier too): at :data:`GUESS_MIN_SHARE` it stood
in groups the qualifier speaks against ("Hjelpearbeider (bygg)")."""
N_GROUPS = 10
"""Groups of the group model that bring candidates."""
N_SUGGESTIONS = 5
N_CANDIDATES = 20
"""Candidate URIs kept in :attr:`Resolution.candidates`."""

_ISCO_URI = "http://data.europa.eu/esco/isco/C"
_STYRK_URI = "http://data.europa.eu/esco/concept/norwegian-occupations/"
_CODE = re.compile(r"^(?:(?:styrk|isco|disco)(?:[\s-]?08)?[\s:.-]*)?(\d{4})(?:\.?\d{1,3})?$")
"""A 4-digit STYRK-08 / ISCO-08 code, also with the national extension NAV's and the Danish job
centres' codes add to it (``5120.101``, ``5120101``, ``513110``): the first four digits are the
group."""
_CODE_NAMED = re.compile(r"^(\d{4})(?:\.?\d{1,3})?\s*[-–:.]?\s+(\D.*)$")
"""A code and a name (``5120 Kokker``, ``5120.101 - Kokk``), as exports write an occupation."""
# Norwegian/Danish group titles end in "mv." (med videre), "m.fl.", "m.m.", "o.l.".
_TRAILER = re.compile(r"[\s,;]+(?:mv|m\s?\.\s?fl|m\s?\.\s?m|o\s?\.\s?l|etc)\.?\s*$")
_NON_WORD = re.compile(r"[^\w+#]+|_+")

# Ranks of a label within a concept: the lower, the stronger the claim. National job titles
# (NAV, ESCO-STAR) are vocabulary, weaker than any ESCO label; a title's base without its
# qualifier in parentheses ("Renholder (bedrift)" -> "renholder") weaker still.
_EN_PREFERRED, _PREFERRED, _ALT, _TITLE, _TITLE_BASE = 0, 1, 2, 3, 4
_QUALIFIER = re.compile(r"\(([^()]*)\)")
#: what a caseworker writes around an occupation that says when, how long or how much, not what
_CONTEXT = [re.compile(p, re.IGNORECASE) for p in (
    # years and spans of years: 2015-2019, 2019-nå, 2021
    r"\b(?:19|20)\d{2}\b(?:\s*[-–]\s*(?:(?:19|20)\d{2}\b|nå\b|i dag\b|d\.?d\.?|now\b|"
    r"today\b))?",
    # durations: i 3 år, 6 mnd, ca. 2 years
    r"(?:\b(?:i|in|for)\s+)?(?:\b(?:ca\.?|cirka|omtrent|over|under)\s*)?\b\d+(?:[.,]\d+)?\s*\+?\s*"
    r"(?:år|års|aar|måneder|måneders|måned|mnd|mdr|md|uker|uke|uger|uge|years?|yrs?|"
    r"months?|weeks?)\b",
    # how much: deltid, heltid, part-time, sommerjobb
    r"\b(?:deltid|heltid|fulltid|part[- ]time|full[- ]time|sommerjobb|sommerjob)\b",
    # before it: tidligere, erfaring som, har jobbet som, worked as
    r"^\s*(?:tidligere|fhv\.?|forhenværende|former|ex|(?:arbeids)?erfaring\s+(?:som|fra)|"
    r"erfaring|(?:har\s+)?(?:jobbet|arbeidet|arbejdet|worked)\s+(?:som|as)|"
    r"experience\s+as)\b\s*",
    # a wish: ønsker å jobbe som, vil gerne arbejde som, wants to work as
    r"^\s*(?:(?:ønsker|vil|vil\s+gjerne|vil\s+gerne|kunne\s+tenke\s+seg|wants?|would\s+like)"
    r"\s+(?:å\s+|at\s+|to\s+)?)?(?:jobbe|arbeide|arbejde|work)\s+(?:som|as)\b\s*",
)]
_LEFT_OVER = re.compile(r"\(\s*[,;]*\s*\)|^[\s,;:.\-–]+|[\s,;:.\-–]+$")


def without_context(term: str) -> str:
    """``term`` without what says when, how long or how much (years, durations, part-time,
    "tidligere", "erfaring som"); ``term`` itself when that would leave nothing.

    >>> [without_context(t) for t in ("kokk i 3 år", "Renholder 2015-2019", "tidligere kokk",
    ...                               "erfaring som kokk", "Kokk (deltid, 2 år)", "kokk")]
    ['kokk', 'Renholder', 'kokk', 'kokk', 'Kokk', 'kokk']
    >>> [without_context(t) for t in ("ønsker å jobbe som kokk", "vil gerne arbejde som kok")]
    ['kokk', 'kok']
    >>> without_context("3 år"), without_context("deltidsbrannkonstabel")
    ('3 år', 'deltidsbrannkonstabel')
    """
    text, found = term, 0
    for pattern in _CONTEXT:
        text, n = pattern.subn(" ", text)
        found += n
    if not found:
        return term
    text = " ".join(text.split())
    while (cleaned := " ".join(_LEFT_OVER.sub(" ", text).split())) != text:
        text = cleaned
    return text if text else term

_SNOWBALL = {"en": "english", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
             "da": "danish", "sv": "swedish", "de": "german", "nl": "dutch", "fr": "french",
             "es": "spanish", "it": "italian", "pt": "portuguese", "fi": "finnish"}
# Plurals Snowball cannot see: checked as word endings, so compounds are covered (flyttemenn).
_IRREGULAR: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("men", "man"), ("people", "person"), ("children", "child")),
    "no": (("menn", "mann"),), "nb": (("menn", "mann"),), "nn": (("menn", "mann"),),
    "da": (("mænd", "mand"),), "sv": (("män", "man"),), "de": (("männer", "mann"),),
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a term resolved to.

    Attributes
    ----------
    term : str
        The term as given.
    kind : {'occupation', 'skill'}
    indices : tuple of int
        Occupation indices (all occupations of a group for a code or group) or one skill index;
        empty when unresolved.
    uri : str or None
        The concept: an occupation, skill, skill group or ISCO/STYRK group URI.
    label : str or None
        Its preferred English label (a STYRK-only group has only its Norwegian title).
    method : {'uri', 'code', 'exact', 'normalised', 'inflection', 'fuzzy'} or None
    confidence : float
        In [0, 1]; 0 when unresolved.
    suggestions : tuple of str
        Preferred labels of the next-best candidates: alternatives to a tie, or near matches
        of an unresolved term.
    language : str or None
        Language of the label that matched (``None`` for a URI or code, or when unresolved).
    candidates : tuple of str
        URIs of the best candidates, best first (up to :data:`N_CANDIDATES`): ``uri`` first,
        then the alternatives of a tie or weaker matches; for an unresolved term, the URIs of
        its suggestions.
    tied : tuple of str
        URIs of the other concepts that share the matched label, next after ``uri`` among the
        candidates (``confidence`` is lowered by :data:`AMBIGUITY_FACTOR` for the tie, not for
        doubt about the spelling); for the name of a STYRK-08 or ISCO-08 group, which names
        every occupation of the group, up to :data:`GROUP_SIBLINGS` of its other occupations
        (confidence unchanged).
    """

    term: str
    kind: Kind
    indices: tuple[int, ...]
    uri: str | None
    label: str | None
    method: Method | None
    confidence: float
    suggestions: tuple[str, ...] = ()
    language: str | None = None
    candidates: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return bool(self.indices)

    @property
    def shared(self) -> bool:
        """Other concepts are named by the words as much as the answer (see ``tied``)."""
        return bool(self.tied)


# --- text keys ------------------------------------------------------------------------------

def _fold(text: str) -> str:
    if text.isascii():
        return text.lower().strip()
    return unicodedata.normalize("NFKC", text).casefold().strip()


# Most labels are already in normal form ("breed insects"); checking that is cheaper than
# rewriting them.
_CLEAN = re.compile(r"[^\W_]+(?: [^\W_]+)*")


def _normalise_folded(text: str) -> str:
    if _CLEAN.fullmatch(text) and not text.endswith((" mv", " etc")):
        return text
    text = text.replace("'", "").replace("\u2019", "")
    while (match := _TRAILER.search(text)) is not None:
        text = text[: match.start()]
    return " ".join(_NON_WORD.sub(" ", text).split())


# Gender forms and nynorsk spellings, tried when nothing else matched: word endings (with their
# definite and plural forms) and stems that nynorsk writes otherwise.
_VARIANT_ENDINGS = (
    (re.compile(r"(?<=\w{2})erske(?:n|ne|r|rne)?$"), "er"),     # syerske -> syer
    (re.compile(r"(?<=\w{3}[eø]r)inne(?:n|ne|r|rne)?$"), ""),   # lærerinne -> lærer
    (re.compile(r"(?<=\w{3})ar(?:en)?$"), "er"),                # arbeidar -> arbeider
    (re.compile(r"(?<=\w{3})ar(?:ar|ane)$"), "ere"),            # arbeidarar -> arbeidere
)
_VARIANT_STEMS = (("sjuk", "syk"), ("gard", "gård"), ("tenest", "tjenest"), ("heim", "hjem"),
                  ("mjølk", "melk"), ("kyrkje", "kirke"), ("golv", "gulv"), ("laus", "løs"),
                  ("hjelpar", "hjelper"), ("skule", "skole"), ("tilsett", "ansatt"))


def _variants(text: str) -> list[str]:
    """Bokmål forms of a normalised text in a gender or nynorsk form (may be empty)."""
    words = text.split()
    changed = []
    for word in words:
        new = word
        for pattern, replacement in _VARIANT_ENDINGS:
            new = pattern.sub(replacement, new)
        for nynorsk, bokmal in _VARIANT_STEMS:
            if nynorsk in new and bokmal not in new:
                new = new.replace(nynorsk, bokmal)
        changed.append(new)
    variant = " ".join(changed)
    return [variant] if variant != text else []


def normalise(text: str) -> str:
    """The key of the ``normalised`` step.

    >>> normalise("  Birøktere  mv.")
    'birøktere'
    >>> normalise("Kitchen-Assistant")
    'kitchen assistant'
    """
    return _normalise_folded(_fold(text))


_stem_lock = threading.Lock()


@functools.cache
def _stemmer(lang: str) -> snowballstemmer.Stemmer | None:
    name = _SNOWBALL.get(lang)
    return snowballstemmer.stemmer(name) if name else None


@functools.lru_cache(maxsize=200_000)
def _stem_word(word: str, lang: str) -> str:
    for ending, replacement in _IRREGULAR.get(lang, ()):
        if word.endswith(ending):
            word = word[: -len(ending)] + replacement
            break
    stemmer = _stemmer(lang)
    if stemmer is None:
        return word
    # Snowball removes one suffix layer per call (birøktere -> birøkter -> birøkt); repeating
    # until nothing changes makes the plural and the singular meet.
    with _stem_lock:  # Snowball stemmers keep state between calls
        for _ in range(3):
            stemmed = stemmer.stemWord(word)
            if stemmed == word:
                break
            word = stemmed
    return word


def stem_key(normalised: str, lang: str) -> str:
    """The key of the ``inflection`` step: each word of a normalised label, stemmed.

    >>> stem_key("birøktere", "no") == stem_key("birøkter", "no")
    True
    """
    return " ".join(_stem_word(word, lang) for word in normalised.split())


@functools.cache
def stemmer_version() -> str:
    """The stemmer a stem table was made with; a table from another version is not used."""
    try:
        return f"snowballstemmer {importlib.metadata.version('snowballstemmer')}"
    except importlib.metadata.PackageNotFoundError:
        return "snowballstemmer (unknown version)"


def build_stem_table(labels: Mapping[str, Iterable[str]]) -> dict[str, dict[str, str]]:
    """Stem of every word of the given labels, per language.

    Stemming is the slow part of indexing (Snowball runs in pure Python), so a snapshot stores
    this table and loading skips the work.
    """
    table: dict[str, dict[str, str]] = {}
    for lang, texts in sorted(labels.items()):
        words = {word for text in texts for word in normalise(text).split()}
        table[lang] = {word: _stem_word(word, lang) for word in sorted(words)}
    return table


# --- resolver -------------------------------------------------------------------------------

_Adder = Callable[[str, int, Iterable[str], int], None]
Hits = dict[int, tuple[int, str]]
"""target -> (rank, language) of the best label of that target that matched."""


class _Table:
    """Keys -> hits, stored as rows sorted by key: cheap to build in bulk, cheap to query."""

    def __init__(self, keys: list[str], targets: list[int], ranks: list[int],
                 langs: list[str]) -> None:
        frame = (
            pl.DataFrame({"key": keys, "target": targets, "rank": ranks, "lang": langs},
                         schema={"key": pl.String, "target": pl.Int64, "rank": pl.Int8,
                                 "lang": pl.String})
            .filter(pl.col("key") != "")
            # Within a key, a target's best rank comes first.
            .sort("key", "target", "rank")
        )
        starts = frame.with_row_index("start").group_by("key", maintain_order=True).agg(
            pl.col("start").first(), pl.len().alias("n"))
        self._where: dict[str, tuple[int, int]] = dict(zip(
            starts["key"].to_list(),
            zip(starts["start"].to_list(), starts["n"].to_list(), strict=True), strict=True))
        self._targets: list[int] = frame["target"].to_list()
        self._ranks: list[int] = frame["rank"].to_list()
        self._langs: list[str] = frame["lang"].to_list()

    def keys(self) -> list[str]:
        return list(self._where)

    def get(self, key: str) -> Hits:
        where = self._where.get(key)
        if where is None:
            return {}
        hits: Hits = {}
        for row in range(where[0], where[0] + where[1]):
            hits.setdefault(self._targets[row], (self._ranks[row], self._langs[row]))
        return hits


def _qualifier(term: str) -> str:
    """A term's qualifier in parentheses, normalised ("" without one)."""
    if "(" not in term:
        return ""
    found = _QUALIFIER.search(_fold(term))
    return _normalise_folded(found.group(1)) if found else ""


_VOTE_BLOCK = 256
"""Terms whose group votes are computed together (:meth:`Resolver._prefetch_votes`)."""


def _emphasised(text: str, term: str) -> str:
    """The text the group model reads: the qualifier counted twice."""
    qualifier = _qualifier(term)
    return f"{text} {qualifier}" if qualifier else text


def _merge_hits(into: Hits, hits: Hits) -> None:
    for target, value in hits.items():
        if target not in into or value[0] < into[target][0]:
            into[target] = value


@dataclass(frozen=True, slots=True)
class _Group:
    uri: str
    code: str
    label: str
    members: tuple[int, ...]


NGRAM_RANGE = (2, 5)
"""Character n-grams (within words, padded with a space) of the n-gram index."""
_SPACES = re.compile(r"\s\s+")


def _char_ngrams(text: str) -> list[str]:
    """The character n-grams of ``text``, exactly as scikit-learn's ``TfidfVectorizer(analyzer=
    "char_wb", ngram_range=NGRAM_RANGE)`` makes them (lower case, each word padded with a
    space; a word shorter than n gives one n-gram)."""
    low, high = NGRAM_RANGE
    grams: list[str] = []
    for word in _SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        size = len(word)
        for n in range(low, high + 1):
            if size <= n:
                grams.append(word)
                break
            grams.extend(word[k:k + n] for k in range(size - n + 1))
    return grams


@dataclass(frozen=True, slots=True)
class _NgramIndex:
    """Character n-gram TF-IDF of the Norwegian and Danish labels (sublinear term frequency,
    smoothed IDF, rows L2-normalised): scikit-learn's ``TfidfVectorizer`` fits it, and
    :meth:`transform` turns queries into the same vectors without it, in microseconds a term
    (the vectorizer's own ``transform`` costs a millisecond or two a call)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    by_feature: sp.csr_matrix
    """features x labels"""
    keys: list[str]
    """The labels, in the column order of ``by_feature``."""

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Texts x features, as the fitted vectorizer's ``transform`` gives them."""
        indices, counts, indptr = count_features((_char_ngrams(text) for text in texts),
                                                 self.vocabulary)
        data = np.log(np.asarray(counts, dtype=np.float32)) + np.float32(1.0)
        columns = np.asarray(indices, dtype=np.int32)
        data *= self.idf[columns]
        starts = np.asarray(indptr, dtype=np.int64)
        lengths = np.diff(starts)
        rows = np.repeat(np.arange(lengths.size), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=lengths.size))
        data /= norms[rows].astype(np.float32)
        return sp.csr_matrix((data, columns, starts), shape=(lengths.size, len(self.idf)))


_INDEX_FORMAT = "matcher-resolve-index 1"


@functools.cache
def _index_code() -> bytes:
    """What the cached index depends on besides its labels: this module's code (any change to
    the method) and the scikit-learn version that fits the vectorizer."""
    try:
        sklearn = importlib.metadata.version("scikit-learn")
    except importlib.metadata.PackageNotFoundError:
        sklearn = "unknown"
    return b"\0".join([_INDEX_FORMAT.encode(), sklearn.encode(), code_stamp(__file__)])


def _index_key(keys: list[str], codes: list[str], membership: sp.csr_matrix) -> str:
    """Hex digest naming the cached index of these labels and groups."""
    digest = hashlib.sha256(_index_code())
    digest.update("\n".join(keys).encode())
    digest.update(b"\0" + "\n".join(codes).encode())
    for array in (membership.indptr, membership.indices, membership.data):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:32]


def _fit_index(keys: list[str], membership: sp.csr_matrix,
               ) -> tuple[_NgramIndex, sp.csr_matrix, np.ndarray]:
    """Fit the n-gram index of ``keys`` and the group model over it (see :class:`_GroupModel`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # only to build the index

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, sublinear_tf=True,
                                 dtype=np.float32)
    # features x labels: a query touches only the rows of its own n-grams
    by_feature = sp.csr_matrix(vectorizer.fit_transform(keys).T, dtype=np.float32)
    mass = sp.csr_matrix(by_feature @ membership.T)  # features x groups
    total = np.asarray(mass.sum(axis=0), dtype=np.float64).ravel()
    mass.data = np.log1p(mass.data / GROUP_ALPHA).astype(np.float32)
    const = (math.log(GROUP_ALPHA)
             - np.log(total + GROUP_ALPHA * mass.shape[0])).astype(np.float32)
    index = _NgramIndex({gram: int(j) for gram, j in vectorizer.vocabulary_.items()},
                        np.asarray(vectorizer.idf_, dtype=np.float32), by_feature, keys)
    return index, mass, const


def _write_index(path: Path, index: _NgramIndex, log_counts: sp.csr_matrix,
                 const: np.ndarray) -> None:
    """Keep the index in the cache folder; a cache that cannot be written costs only time."""
    grams = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
    arrays: dict[str, np.ndarray] = {
        "grams": np.frombuffer("\n".join(grams).encode(), dtype=np.uint8),
        "idf": index.idf, "const": const}
    for name, matrix in (("by_feature", index.by_feature), ("log_counts", log_counts)):
        arrays |= {f"{name}_data": matrix.data, f"{name}_indices": matrix.indices,
                   f"{name}_indptr": matrix.indptr,
                   f"{name}_shape": np.asarray(matrix.shape, dtype=np.int64)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temporary, temporary.open("wb") as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]
    except OSError as exc:  # OutputError included
        log.warning("cannot cache the resolver's n-gram index in %s (%s); every process will "
                    "build it again", path.parent, exc)


def _read_index(path: Path, keys: list[str], n_groups: int,
                ) -> tuple[_NgramIndex, sp.csr_matrix, np.ndarray] | None:
    """The cached index at ``path``, or ``None`` when there is none or it is damaged."""
    if not path.is_file():
        return None
    try:
        # the file is opened here, so a damaged zip that np.load refuses is closed too
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as stored:
            grams = bytes(stored["grams"]).decode().split("\n")
            idf, const = stored["idf"], stored["const"]
            by_feature, log_counts = (
                sp.csr_matrix((stored[f"{name}_data"], stored[f"{name}_indices"],
                               stored[f"{name}_indptr"]),
                              shape=tuple(int(n) for n in stored[f"{name}_shape"]))
                for name in ("by_feature", "log_counts"))
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        log.warning("rebuilding the damaged n-gram index cache entry %s (%s)", path, exc)
        return None
    if (by_feature.shape != (len(grams), len(keys)) or idf.shape != (len(grams),)
            or log_counts.shape != (len(grams), n_groups) or const.shape != (n_groups,)):
        log.warning("rebuilding the damaged n-gram index cache entry %s (shapes)", path)
        return None
    index = _NgramIndex(dict(zip(grams, range(len(grams)), strict=True)), idf, by_feature, keys)
    return index, log_counts, const


@dataclass(frozen=True, slots=True)
class _GroupModel:
    """Which STYRK-08 (else ISCO-08) unit group a text names: multinomial naive Bayes over the
    character n-gram TF-IDF of every Norwegian and Danish label and title, each counted for the
    group of the concept it names.

    ``log_counts`` (features x groups) holds ``log(1 + mass / alpha)`` of each n-gram's TF-IDF
    mass in a group and ``const`` ``log(alpha) - log(total mass + alpha * features)`` per group,
    so a query's log-likelihood is ``q @ log_counts + |q|_1 * const`` and the matrix stays sparse.
    """

    codes: tuple[str, ...]
    log_counts: sp.csr_matrix
    const: np.ndarray
    positions: tuple[np.ndarray, ...]
    """Per group, the positions of the n-gram index's labels that name one of its concepts."""
    words: WordModel | None = None
    """The discriminative word model over the same groups (None without groups)."""


@dataclass
class _Labels:
    """Every label of one kind, in parallel lists."""

    normalised: list[str]
    langs: list[str]
    targets: list[int]
    ranks: list[int]


class Resolver:
    """Label indexes of one kind of concept, built on first use, and a cache of answers.

    Targets are integers: occupation or skill indices, and for occupations also
    ``n_occupations + g`` for ISCO/STYRK group ``g``.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, taxonomy: Taxonomy, kind: Kind,
                 languages: tuple[str, ...] | None = None) -> None:
        self.taxonomy = taxonomy
        self.kind = kind
        # None: every language of the taxonomy; else only labels in these languages.
        self.only = languages
        self._lock = threading.RLock()
        self._cache: dict[str, Resolution] = {}
        self._labels: _Labels | None = None
        self._exact: _Table
        self._normalised: _Table
        self._joined: _Table
        self._stems: _Table | None = None
        self._words: dict[str, list[int]] | None = None
        self._labels_of: dict[int, list[str]] | None = None
        self._reversed: tuple[list[str], list[int]] | None = None
        self._sorted_keys: list[str] | None = None
        self._ngram_index: _NgramIndex | None = None
        self._group_model_: _GroupModel | None = None
        self._votes: dict[tuple[str, str], tuple[list[int], float, dict[int, str],
                                                 dict[str, float]]] = {}
        self._shares: dict[tuple[str, str], tuple[list[int], np.ndarray]] = {}
        self._representatives: dict[str, int] = {}
        self._fuzzy_keys: list[str] = []
        self._fuzzy_lengths: list[int] = []
        self._groups: list[_Group] = []
        self._group_by_code: dict[str, int] = {}
        self._styrk_by_code: dict[str, int] = {}

    # --- building -------------------------------------------------------------------------

    @functools.cached_property
    def _n(self) -> int:
        return self.taxonomy.n_occupations if self.kind == "occupation" else self.taxonomy.n_skills

    def _labelled(self) -> _Labels:
        """Every label, normalised; builds the exact, normalised and fuzzy indexes."""
        if self._labels is not None:
            return self._labels
        with self._lock:
            if self._labels is not None:
                return self._labels
            tax = self.taxonomy
            labels: list[str] = []
            langs: list[str] = []
            targets: list[int] = []
            ranks: list[int] = []

            def add(lang: str, target: int, names: Iterable[str], first: int) -> None:
                for k, label in enumerate(names):
                    labels.append(label)
                    langs.append(lang)
                    targets.append(target)
                    ranks.append(first if k == 0 or first > _ALT else _ALT)

            names = tax.occupation_names if self.kind == "occupation" else tax.skill_names
            for lang, per_concept in names.items():
                if self.only is not None and lang not in self.only:
                    continue
                first = _EN_PREFERRED if lang == "en" else _PREFERRED
                for target, concept_names in enumerate(per_concept):
                    add(lang, target, concept_names, first)
            if self.kind == "occupation":
                self._build_groups()
                for g, group in enumerate(self._groups):
                    by_lang = (tax.isco_names.get(group.code, {}) if group.uri.startswith(_ISCO_URI)
                               else {"no": (group.label,)})
                    for lang, group_names in by_lang.items():
                        if self.only is not None and lang not in self.only:
                            continue
                        add(lang, self._n + g, group_names, _PREFERRED)
                self._add_titles(add)
            folded = [_fold(label) for label in labels]
            normalised = [_normalise_folded(text) for text in folded]
            self._exact = _Table(folded, targets, ranks, langs)
            self._normalised = _Table(normalised, targets, ranks, langs)
            # Compounds are written joined, spaced or hyphenated ("lagerarbejder",
            # "lager-arbejder", "bee keeper"): the same key without spaces meets them all.
            self._joined = _Table([text.replace(" ", "") for text in normalised], targets, ranks,
                                  langs)
            keys = sorted(self._normalised.keys(), key=lambda s: (len(s), s))
            self._fuzzy_keys = keys
            self._fuzzy_lengths = [len(s) for s in keys]
            self._labels = _Labels(normalised, langs, targets, ranks)
        return self._labels

    def _add_titles(self, add: _Adder) -> None:
        """National job titles: a code names its group, a URI its occupation or ISCO group."""
        tax = self.taxonomy
        for title, lang, _, target in tax.titles:
            if self.only is not None and lang not in self.only:
                continue
            if target.startswith(_ISCO_URI):
                g = self._group_by_code.get(target[len(_ISCO_URI):])
                t = None if g is None else self._n + g
            elif target.startswith("http"):
                t = tax._occupation_by_uri.get(target)
            else:
                g = self._group_by_code.get(target, self._styrk_by_code.get(target))
                t = None if g is None else self._n + g
            if t is None:
                continue
            add(lang, t, (title,), _TITLE)
            base = _QUALIFIER.sub(" ", title).strip()
            if base != title and base:
                add(lang, t, (base,), _TITLE_BASE)

    def _build_groups(self) -> None:
        tax = self.taxonomy
        isco = tax.isco_groups
        for code in sorted(tax.isco_names, key=lambda c: (-len(c), c)):
            members = isco.get(code)
            if members is not None and members.size:
                self._group_by_code[code] = len(self._groups)
                self._groups.append(_Group(_ISCO_URI + code, code, tax.isco_labels.get(code, code),
                                           tuple(int(i) for i in members)))
        # STYRK-08 codes without an ISCO-08 twin (2223, 2224, 3439) stand for the occupations
        # the crosswalk maps to them.
        for code, members in tax.styrk_groups.items():
            if code not in self._group_by_code and code in tax.styrk_labels:
                self._styrk_by_code[code] = len(self._groups)
                self._groups.append(_Group(_STYRK_URI + code, code, tax.styrk_labels[code],
                                           tuple(int(i) for i in members)))

    def _stem(self, word: str, lang: str) -> str:
        return self.taxonomy.stem_table.get(lang, {}).get(word) or _stem_word(word, lang)

    def _stem_key(self, text: str, lang: str) -> str:
        table = self.taxonomy.stem_table.get(lang, {})
        return " ".join(table.get(w) or _stem_word(w, lang) for w in text.split())

    def _stem_index(self) -> _Table:
        if self._stems is not None:
            return self._stems
        labels = self._labelled()
        with self._lock:
            if self._stems is None:
                keys = [f"{lang}:{self._stem_key(text, lang)}"
                        for text, lang in zip(labels.normalised, labels.langs, strict=True)]
                self._stems = _Table(keys, labels.targets, labels.ranks, labels.langs)
        return self._stems

    def _word_index(self) -> dict[str, list[int]]:
        """``lang:stem`` of a word -> sorted positions in ``_fuzzy_keys`` of labels holding it."""
        if self._words is not None:
            return self._words
        labels = self._labelled()
        with self._lock:
            if self._words is None:
                keys = pl.DataFrame({"text": self._fuzzy_keys}).with_row_index("position")
                words = (
                    pl.DataFrame({"text": labels.normalised, "lang": labels.langs})
                    .unique()
                    .join(keys, on="text")
                    .with_columns(pl.col("text").str.split(" ").alias("word"))
                    .explode("word")
                )
                pairs = words.select("lang", "word").unique()
                stems = pairs.with_columns(pl.Series("key", [
                    f"{lang}:{self._stem(word, lang)}" for lang, word in pairs.iter_rows()],
                    dtype=pl.String))
                postings = (
                    words.join(stems, on=["lang", "word"])
                    .group_by("key")
                    .agg(pl.col("position").unique().sort())
                )
                self._words = dict(zip(postings["key"].to_list(),
                                       postings["position"].to_list(), strict=True))
        return self._words

    @functools.cached_property
    def _languages(self) -> tuple[str, ...]:
        names = (self.taxonomy.occupation_names if self.kind == "occupation"
                 else self.taxonomy.skill_names)
        return tuple(sorted(lang for lang in names if self.only is None or lang in self.only))

    # --- answers --------------------------------------------------------------------------

    def _concept(self, target: int) -> tuple[tuple[int, ...], str, str]:
        """(indices, uri, label) of a target."""
        tax = self.taxonomy
        if target >= self._n:
            group = self._groups[target - self._n]
            return group.members, group.uri, group.label
        if self.kind == "occupation":
            return (target,), tax.occupation_uris[target], tax.occupation_labels[target]
        return (target,), tax.skill_uris[target], tax.skill_labels[target]

    def _label(self, target: int) -> str:
        return self._concept(target)[2]

    def _answer(self, term: str, target: int | None, method: Method | None, confidence: float,
                others: Iterable[int] = (), language: str | None = None) -> Resolution:
        chosen = self._label(target) if target is not None else None
        suggestions: list[str] = []
        candidates: list[str] = [] if target is None else [self._concept(target)[1]]
        for other in others:
            _, other_uri, label = self._concept(other)
            if label != chosen and label not in suggestions and len(suggestions) < N_SUGGESTIONS:
                suggestions.append(label)
            if other_uri not in candidates:
                candidates.append(other_uri)
            if len(candidates) >= N_CANDIDATES:
                break
        if target is None:
            return Resolution(term, self.kind, (), None, None, None, 0.0, tuple(suggestions),
                              None, tuple(candidates))
        indices, uri, label = self._concept(target)
        return Resolution(term, self.kind, indices, uri, label, method,
                          round(min(1.0, max(0.0, confidence)), 4), tuple(suggestions),
                          language, tuple(candidates))

    def _order(self, hits: Hits) -> list[int]:
        # Among concepts that share the matched label, the one with the shortest English
        # preferred label is the most general ("lagermedarbejder" is an alt label of warehouse
        # worker and of leather goods warehouse operator: a plain term means the plain
        # occupation). Groups were numbered most specific first, so for them the target number
        # breaks the ties.
        return sorted(hits, key=lambda t: (t >= self._n, hits[t][0], self._label_length(t), t))

    def _label_length(self, target: int) -> int:
        if target >= self._n:
            return 0
        labels = (self.taxonomy.occupation_labels if self.kind == "occupation"
                  else self.taxonomy.skill_labels)
        return len(str(labels[target]).split())

    def _named_occupations(self, group_target: int, text: str, lang: str,
                           anywhere: bool = False) -> Hits:
        """Occupations that the group's own title (``text``, normalised) names: in the group,
        or with ``anywhere`` in any group."""
        members = set(self._groups[group_target - self._n].members)
        index = self._stem_index()
        stems = index.get(f"{lang}:{self._stem_key(text, lang)}")
        if " " in text:  # "agro teknikere" names "agrotekniker"
            _merge_hits(stems, index.get(f"{lang}:{self._stem_key(text.replace(' ', ''), lang)}"))
        return {t: v for t, v in stems.items()
                if t < self._n and (anywhere or t in members)}

    def _decide(self, term: str, method: Method, hits: Hits, matched: dict[int, str],
                scale: float = 1.0, extra: Iterable[int] = ()) -> Resolution:
        """Choose among the hits of one step. ``matched`` holds each group's matched text."""
        order = self._order(hits)
        if hits[order[0]][0] >= _TITLE:
            return self._decide_title(term, method, hits, order, matched, scale, extra)
        siblings: list[int] = []
        if all(t >= self._n for t in order):
            # Only group titles matched; if a title names an occupation of its own group
            # ("Birøktere mv." -> birøkter), the term means that occupation.
            named: Hits = {}
            for group in order:
                _merge_hits(named, self._named_occupations(group, matched[group], hits[group][1]))
            if named:
                # The title names its whole group: the group's next occupations are named
                # by it too and come right after the answer ("Steinhoggere mv.": stonemason,
                # then stone engraver), before other groups. Not for a guess by spelling,
                # whose confidence counts a tie (Resolution.shared).
                if method in ("exact", "normalised", "inflection"):
                    siblings = self._order(named)[1:] + sorted(
                        (int(i) for i in self._groups[order[0] - self._n].members
                         if i not in named),
                        key=lambda i: (self._label_length(i), i))
                # Reaching the occupation took inflection, and is as certain as that.
                if method in ("exact", "normalised"):
                    method, scale = "inflection", 1.0
                order = self._order(named) + order
                hits = {**hits, **named}
            else:
                for group in order:
                    _merge_hits(named, self._named_occupations(
                        group, matched[group], hits[group][1], anywhere=True))
                members = self._groups[order[0] - self._n].members
                if named:
                    # The title names an occupation that ESCO files under another group
                    # (STYRK "Radiografer" is ISCO 321; ESCO's radiographer is in 2269): the
                    # occupation it names, less certain, with the group as a candidate.
                    method, scale = "inflection", 0.9
                    order = self._order(named) + order
                    hits = {**hits, **named}
                elif len(members) == 1:
                    # A group of one occupation names that occupation ("Ledere av eldreomsorg").
                    hits = {**hits, members[0]: hits[order[0]]}
                    order = [members[0], *order]
        best = order[0]
        is_group = best >= self._n
        tied = [t for t in order if (t >= self._n) == is_group and hits[t][0] == hits[best][0]]
        if len(tied) > 1 and not is_group:
            tied = self._nearest_to_titles(tied, [t for t in order if hits[t][0] >= _TITLE])
            best = tied[0]
            order = [*tied, *(t for t in order if t not in tied)]
        confidence = CONFIDENCE[method] * scale * (AMBIGUITY_FACTOR if len(tied) > 1 else 1.0)
        answer = self._answer(term, best, method, confidence, [*order[1:], *extra],
                              language=hits[best][1])
        also = [t for t in tied if t != best]
        also += [t for t in siblings if t not in tied][:GROUP_SIBLINGS]
        if not also:
            return answer
        return replace(answer, tied=tuple(self._concept(t)[1] for t in also))

    def _nearest_to_titles(self, tied: list[int], titles: list[int]) -> list[int]:
        """Occupations that share the matched label, those nearest in ISCO-08 to what a
        national title with the same words names first (the order kept otherwise).

        ESCO's Danish "pædagogmedhjælper" is a label of early years teacher (2342) and child
        day care worker (5311); the job centres' title of that name is a teaching assistant
        (5312), so the child day care worker (same minor group 531) answers. The answer still
        carries the label the caseworker wrote.
        """
        # only titles that name occupations (the job centres'): a NAV title names a group,
        # and NAV files "lagermedarbeider" with the stock clerks (4321) where the occupation
        # the caseworker means is ESCO's warehouse worker (9333)
        codes = {str(self.taxonomy.occupation_isco[t]) for t in titles if t < self._n}
        if not codes:
            return tied

        def shared(t: int) -> int:  # digits of the ISCO code in common: 1 major ... 4 unit
            own = str(self.taxonomy.occupation_isco[t])
            return max(next((k for k in range(4) if own[k:k + 1] != c[k:k + 1]), 4)
                       for c in codes)

        return sorted(tied, key=lambda t: -shared(t))

    def _decide_title(self, term: str, method: Method, hits: Hits, order: list[int],
                      matched: dict[int, str], scale: float, extra: Iterable[int]) -> Resolution:
        """Only national titles matched: the occupation they most plausibly mean.

        A NAV title names a STYRK-08 group, an ESCO-STAR title one or more occupations. The
        answer is the occupation among them whose labels are closest to the title (the title's
        own words are the evidence: "landbrugsmedhjælper" is the "landbrugsassistent", not the
        poultry catcher the same title also maps to); without evidence the group's most general
        occupation: the one filed under the group's own ISCO code with the shortest English
        label. The other occupations and the group follow as candidates.
        """
        rank = hits[order[0]][0]
        tied = [t for t in order if hits[t][0] == rank]
        text = matched.get(tied[0], "")
        members: list[int] = []
        codes: dict[int, str] = {}
        for t in tied:
            if t >= self._n:
                group = self._groups[t - self._n]
                styrk = self.taxonomy.styrk_groups.get(group.code)
                ix = group.members if styrk is None else tuple(int(i) for i in styrk)
                for i in ix:
                    codes.setdefault(i, group.code)
                members += ix
            else:
                members.append(t)
                codes.setdefault(t, self.taxonomy.occupation_isco[t])
        members = list(dict.fromkeys(members))
        # The title, and its base without the qualifier ("renholder bedrift" -> "renholder").
        texts = list(dict.fromkeys([text, *self._bases(term)]))
        evidence = {i: max(self._evidence(i, t) for t in texts) for i in members}
        isco = self.taxonomy.occupation_isco
        labels = self._target_labels()
        ranked = sorted(members, key=lambda i: (-evidence[i], isco[i] != codes[i],
                                                self._label_length(i), -len(labels.get(i, ())),
                                                i))
        best = ranked[0]
        confidence = CONFIDENCE[method] * scale * (1.0 if rank == _TITLE else BASE_TITLE_FACTOR)
        if len(ranked) > 1 and evidence[best] < TITLE_EVIDENCE:
            confidence *= TITLE_GROUP_FACTOR
        if len({t for t in tied}) > 1 and len({codes[i] for i in members}) > 1:
            confidence *= AMBIGUITY_FACTOR
        groups = [t for t in order if t >= self._n]
        answer = self._answer(term, best, method, confidence,
                              [*ranked[1:5], *groups, *ranked[5:], *extra],
                              language=hits[tied[0]][1])
        if rank == _TITLE_BASE and self.kind == "occupation" and method != "similar":
            # Only the base of titles with qualifiers matched ("sjåfør" of "Sjåfør
            # (renovasjonsbil)"): a guess. A word that is the head of many labels is better
            # answered by them (lastebilsjåfør, bussjåfør, taxisjåfør: drivers, not refuse
            # collectors); else the nearest labels confirm or overrule the guess.
            headed = self._headed(text)
            if headed is not None:
                return replace(headed, term=term)
            return self._by_similar(term, text or _normalise_folded(_fold(term)),
                                    answer) or answer
        return answer

    def _headed(self, text: str) -> Resolution | None:
        """A single word that ends at least :data:`MIN_HEADED` longer labels: the group most of
        them belong to, its most general occupation (method ``compound``)."""
        if " " in text or len(text) < MIN_HEAD:
            return None
        reversed_words, positions = self._heads()
        start = bisect_left(reversed_words, text[::-1])
        end = bisect_left(reversed_words, text[::-1] + "\U0010ffff")
        votes: dict[str, int] = {}
        members: dict[str, list[int]] = {}
        for k in range(start, end):
            key = self._fuzzy_keys[positions[k]]
            if key == text or " " in key:
                continue
            for target in self._order(self._normalised.get(key)):
                code = self._target_code(target)
                if len(code) == 4:
                    votes[code] = votes.get(code, 0) + 1
                    members.setdefault(code, []).append(target)
                    break
        if sum(votes.values()) < MIN_HEADED:
            return None
        order = sorted(votes, key=lambda c: (-votes[c], c))
        counts: dict[int, int] = {}
        for t in members[order[0]]:
            if t < self._n:
                counts[t] = counts.get(t, 0) + 1
        if not counts:
            return None
        # The occupation most of the compounds name, then the most general.
        ranked = sorted(counts, key=lambda t: (-counts[t], self._label_length(t), t))
        share = votes[order[0]] / sum(votes.values())
        others = [*ranked[1:], *(members[c][0] for c in order[1:])]
        return self._answer(text, ranked[0], "compound", CONFIDENCE["compound"] * share, others)

    @staticmethod
    def _bases(term: str) -> list[str]:
        """A term's base without its qualifier in parentheses, normalised ([] without one)."""
        folded = _fold(term)
        if "(" not in folded:
            return []
        base = _normalise_folded(_QUALIFIER.sub(" ", folded))
        return [base] if base else []

    def _evidence(self, target: int, text: str) -> float:
        """How close ``text`` is to the closest label of an occupation (rapidfuzz ratio, 0-100),
        counting only scores of at least :data:`TITLE_EVIDENCE`."""
        labels = self._target_labels().get(target, ())
        found = process.extractOne(text, labels, scorer=fuzz.ratio, processor=None,
                                   score_cutoff=TITLE_EVIDENCE)
        return 0.0 if found is None else round(float(found[1]))

    def _target_labels(self) -> dict[int, list[str]]:
        """Occupation -> its normalised labels (ESCO's, in the resolver's languages)."""
        if self._labels_of is None:
            labels = self._labelled()
            found: dict[int, list[str]] = {}
            for text, target, rank in zip(labels.normalised, labels.targets, labels.ranks,
                                          strict=True):
                if target < self._n and rank <= _ALT:
                    found.setdefault(target, []).append(text)
            self._labels_of = found
        return self._labels_of

    def _by_uri(self, term: str, uri: str) -> Resolution:
        tax = self.taxonomy
        target: int | None = None
        if self.kind == "skill":
            target = tax._skill_by_uri.get(uri)
        else:
            target = tax._occupation_by_uri.get(uri)
            if target is None:
                self._labelled()
                g = None
                if uri.startswith(_ISCO_URI):
                    g = self._group_by_code.get(uri[len(_ISCO_URI):])
                elif uri.startswith(_STYRK_URI):
                    code = uri[len(_STYRK_URI):]
                    g = self._group_by_code.get(code, self._styrk_by_code.get(code))
                target = None if g is None else self._n + g
        return self._answer(term, target, "uri", 1.0)

    def _by_code_and_name(self, term: str, code: str, name: str) -> Resolution:
        """A code with a name (``5120 Kokker``): the code decides the group, the name the
        occupation in it when it names one there (``kokk``); else the group, as for the code
        alone. A code that names no group is read as the name alone."""
        group = self._by_code(term, code)
        if not group.resolved:
            return replace(self._resolve(name), term=term)
        answer = self._resolve(without_context(name))
        uri = answer.uri
        i = self.taxonomy._occupation_by_uri.get(uri) if uri is not None else None
        if uri is None or i is None:
            return group
        if self._target_code(i) == code:
            candidates = tuple(dict.fromkeys([uri, *group.candidates]))[:N_CANDIDATES]
            return replace(answer, term=term, method="code", confidence=1.0,
                           candidates=candidates)
        return replace(  # the name says another group: the code stands, in doubt
            group, confidence=AMBIGUITY_FACTOR,
            candidates=tuple(dict.fromkeys([*group.candidates[:1], uri,
                                            *group.candidates[1:]]))[:N_CANDIDATES],
            suggestions=tuple(dict.fromkeys([*group.suggestions[:1], answer.label or "",
                                             *group.suggestions[1:]]))[:N_SUGGESTIONS])

    def _by_code(self, term: str, code: str) -> Resolution:
        self._labelled()
        g = self._group_by_code.get(code, self._styrk_by_code.get(code))
        if g is None:
            return self._answer(term, None, None, 0.0)
        # The group comes first; then its occupations, and those a crosswalk maps to the code.
        members = set(self._groups[g].members)
        styrk = self.taxonomy.styrk_groups.get(code)
        if styrk is not None:
            members.update(int(i) for i in styrk)
        return self._answer(term, self._n + g, "code", 1.0, sorted(members))

    def _fuzzy(self, text: str, cutoff: float, limit: int,
               prefilter: bool = True) -> list[tuple[str, float]]:
        # ratio = 2 * matches / (len(a) + len(b)) bounds the lengths worth comparing.
        c = cutoff / 100.0
        lo = bisect_left(self._fuzzy_lengths, math.ceil(len(text) * c / (2.0 - c)))
        hi = bisect_right(self._fuzzy_lengths, math.floor(len(text) * (2.0 - c) / c))
        words = text.split()
        if prefilter and len(words) > 1:
            # A misspelt phrase nearly always keeps one word intact; comparing only the labels
            # that share a word is many times cheaper than scanning every label.
            index = self._word_index()
            shared: set[int] = set()
            for word in set(words):
                for lang in self._languages:
                    postings = index.get(f"{lang}:{self._stem(word, lang)}", [])
                    shared.update(postings[bisect_left(postings, lo):bisect_left(postings, hi)])
            if shared:
                found = self._extract(text, [self._fuzzy_keys[p] for p in sorted(shared)],
                                      cutoff, limit)
                if found:
                    return found
        return self._extract(text, self._fuzzy_keys[lo:hi], cutoff, limit)

    @staticmethod
    def _extract(text: str, keys: list[str], cutoff: float,
                 limit: int) -> list[tuple[str, float]]:
        found = process.extract(text, keys, scorer=fuzz.ratio, processor=None, limit=limit,
                                score_cutoff=cutoff)
        return [(key, float(score)) for key, score, _ in found]

    def resolve(self, term: str) -> Resolution:
        """Resolve one term; see the module docstring for the steps."""
        if not isinstance(term, str):
            raise parameter_error("Taxonomy.resolve", "term", "a str", term, error=TypeError)
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        core = without_context(term) if self.kind == "occupation" else term
        if core != term and not _CODE.match(_fold(term)) and not _CODE_NAMED.match(_fold(term)):
            return replace(self.resolve(core), term=term)
        answer = self._spelling(self._resolve(term))
        if self.kind == "occupation" and answer.candidates and answer.method not in (
                "uri", "code", "similar"):
            answer = self._with_groups(answer)
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[term] = answer
        return answer

    def resolve_many(self, terms: Iterable[str]) -> list[Resolution]:
        """Resolve each term; repeated terms are resolved once."""
        terms = list(terms)
        if self.kind == "occupation":
            self._labelled()
            # the votes of what is resolved: the term without its context (kokk i 3 år)
            cores = [without_context(t) for t in terms
                     if isinstance(t, str) and t not in self._cache]
            self._prefetch_votes(c for c in cores
                                 if not _fold(c).startswith(("http://", "https://"))
                                 and not _CODE.match(_fold(c)))
        answers: dict[str, Resolution] = {}
        out = []
        for term in terms:
            answer = answers.get(term) if isinstance(term, str) else None
            if answer is None:
                answer = answers[term] = self.resolve(term)
            out.append(answer)
        return out

    def _resolve(self, term: str) -> Resolution:
        folded = _fold(term)
        if not folded:
            return self._answer(term, None, None, 0.0)
        if folded.startswith(("http://", "https://")):
            return self._by_uri(term, term.strip())
        code = _CODE.match(folded)
        if code:
            if self.kind == "occupation":
                return self._by_code(term, code.group(1))
            return self._answer(term, None, None, 0.0)
        named = _CODE_NAMED.match(folded) if self.kind == "occupation" else None
        if named:
            return self._by_code_and_name(term, named.group(1), named.group(2))

        self._labelled()
        hits = self._exact.get(folded)
        if hits:
            text = _normalise_folded(folded)
            return self._decide(term, "exact", hits, dict.fromkeys(hits, text))
        text = _normalise_folded(folded)
        if not text:
            return self._answer(term, None, None, 0.0)
        hits = self._normalised.get(text)
        if hits:
            return self._decide(term, "normalised", hits, dict.fromkeys(hits, text))
        joined = text.replace(" ", "")
        hits = self._joined.get(joined)
        if hits:
            return self._decide(term, "normalised", hits, dict.fromkeys(hits, text))

        hits = self._inflected(text)
        if hits:
            return self._decide(term, "inflection", hits, dict.fromkeys(hits, text))

        # Gender and nynorsk forms (syerske -> syer, gardsarbeidar -> gårdsarbeider).
        for variant in _variants(text):
            hits = self._normalised.get(variant) or self._inflected(variant)
            if hits:
                return self._decide(term, "inflection", hits, dict.fromkeys(hits, variant),
                                    scale=VARIANT_FACTOR)
        # A qualifier in parentheses that no title carries: the base is a guess, and the
        # qualifier's words vote with the rest ("Tekniker (kjemi)" is a chemistry technician,
        # not whichever "tekniker" the base alone would name).
        guess: Resolution | None = None
        for base in self._bases(term):
            if base != text:
                found = self.resolve(base)
                if found.resolved:
                    guess = replace(found, term=term, confidence=round(
                        found.confidence * BASE_TITLE_FACTOR, 4))
        if guess is not None and self.kind == "occupation":
            return self._spelling(self._by_similar(term, text, guess,
                                                   min_share=BASE_GUESS_MIN_SHARE) or guess)
        if guess is not None:
            return guess

        near = self._fuzzy(text, FUZZY_CUTOFF, 20)
        if near and near[0][1] >= COMPOUND_BEFORE_FUZZY:
            return self._spelling(self._by_fuzzy(term, near))
        guess = self._generic_compound(term, text)
        firm = guess is not None
        if guess is None:
            guess = self._compound(term, text)
        if guess is None and near:
            guess = self._by_fuzzy(term, near)
        if self.kind == "occupation":
            guess = self._by_similar(term, text, guess, firm=firm)
        if guess is None:
            return self._answer(term, None, None, 0.0, self._suggest(text))
        return self._spelling(guess)

    def _by_fuzzy(self, term: str, near: list[tuple[str, float]]) -> Resolution:
        best_score = near[0][1]
        hits: Hits = {}
        matched: dict[int, str] = {}
        rest: list[int] = []
        for key, score in near:
            if score < best_score - 1e-9:
                rest += self._order(self._normalised.get(key))
                continue
            for target, value in self._normalised.get(key).items():
                if target not in hits or value[0] < hits[target][0]:
                    hits[target] = value
                    matched[target] = key
        return self._decide(term, "fuzzy", hits, matched, scale=best_score / 100.0, extra=rest)

    def _by_similar(self, term: str, text: str, guess: Resolution | None,
                    firm: bool = False, min_share: float = GUESS_MIN_SHARE,
                    ) -> Resolution | None:
        """The ``similar`` step: the group the nearest labels vote for (:meth:`_similar`).

        A compound or fuzzy guess in the winning group stands, as sure as the vote; otherwise
        the group's nearest label answers, or a surer fuzzy guess (birokter -> birøkter), and
        the other becomes a candidate.
        """
        ranked, share, keys, shares = self._similar_vote(text, term)
        if not ranked:
            return guess
        top_code = self._target_code(ranked[0])
        if guess is not None and guess.resolved:
            code = (self._target_code(guess.indices[0]) if len(guess.indices) == 1
                    else (guess.uri or "").rsplit("/", 1)[-1].lstrip("C"))
            if code == top_code:
                return replace(guess, confidence=round(max(
                    guess.confidence, CONFIDENCE["similar"] * share), 4))
            # A guess by the structure of the word (a generic head) stands while the model
            # names its group at all; a guess by spelling needs a share of its own.
            if code in shares and (firm or shares[code] >= min_share):
                return guess
        best = ranked[0]
        rank = _TITLE if best >= self._n else _ALT
        hits: Hits = {best: (rank, "")}
        extra = [*ranked[1:], *(self._targets_of(guess) if guess is not None else [])]
        answer = self._decide(term, "similar", hits, {best: keys.get(best, text)},
                              scale=share, extra=extra)
        # The next candidates come one per group, in the order of the vote.
        if (guess is not None and guess.resolved and guess.method == "fuzzy"
                and guess.confidence > max(answer.confidence, SPELLING_MIN_CONFIDENCE)):
            # A close spelling the vote does not share (birokter -> birøkter): the surer wins.
            return replace(guess, candidates=tuple(dict.fromkeys(
                [*guess.candidates, *answer.candidates]))[:N_CANDIDATES])
        codes = {self._target_code(i) for i in answer.indices[:1]}
        firsts: list[str] = []
        for t in ranked:
            code = self._target_code(t)
            if code not in codes:
                codes.add(code)
                firsts.append(self._concept(t)[1])
        head = list(answer.candidates[:1])
        candidates = list(dict.fromkeys([*head, *firsts, *answer.candidates]))[:N_CANDIDATES]
        return replace(answer, candidates=tuple(candidates))

    def _with_groups(self, answer: Resolution) -> Resolution:
        """A label's answer, with the groups the group model names for the term next among its
        candidates (one concept per group): where ESCO and NAV file the same words differently
        (``barsjef`` is ESCO's restaurant manager, a bartender by NAV's coding), both are
        offered."""
        ranked, _ = self._group_shares(_normalise_folded(_fold(answer.term)), answer.term)
        model = self._group_model()
        tax = self.taxonomy
        head = answer.candidates[0]
        first = tax._occupation_by_uri.get(head)
        codes = {self._target_code(first) if first is not None else
                 head.rsplit("/", 1)[-1].lstrip("C")}
        # The answer stays first: a label names its concept, whatever group NAV would file
        # the words under (deferring to the group model when it is surer was measured: +0.009
        # success@1 held out, for answers that no longer match the label; docs/taxonomy.md).
        # Next the concepts that share its label (`driftsleder` is a label of both ESCO's
        # `driftsleder` and `driftschef`): they bear the very words written. Then the group
        # model's other groups, each by its most general occupation.
        firsts: list[str] = []
        for c in ranked:
            t = self._representative(model.codes[c])
            if t is not None and model.codes[c] not in codes:
                codes.add(model.codes[c])
                firsts.append(self._concept(t)[1])
        room = max(0, N_SUGGESTIONS - 1 - len(answer.tied))
        candidates = tuple(dict.fromkeys([*answer.candidates[:1], *answer.tied, *firsts[:room],
                                          *answer.candidates, *firsts]))[:N_CANDIDATES]
        if answer.resolved:
            return replace(answer, candidates=candidates)
        # An answer not taken: its suggestions are its candidates' names, in the same order.
        targets = [self._target_of_uri(uri) for uri in candidates]
        suggestions = [self._label(t) for t in targets if t is not None]
        return replace(answer, candidates=candidates, suggestions=tuple(
            dict.fromkeys(s for s in suggestions if s))[:N_SUGGESTIONS])

    def _target_of_uri(self, uri: str) -> int | None:
        found = self.taxonomy._occupation_by_uri.get(uri)
        if found is not None:
            return found
        code = uri.rsplit("/", 1)[-1]
        g = (self._styrk_by_code.get(code) if uri.startswith(_STYRK_URI)
             else self._group_by_code.get(code.lstrip("C")))
        return None if g is None else self._n + g

    def _targets_of(self, r: Resolution) -> list[int]:
        tax = self.taxonomy
        out = []
        for uri in r.candidates:
            i = tax._occupation_by_uri.get(uri)
            if i is not None:
                out.append(i)
        return out

    def _spelling(self, answer: Resolution) -> Resolution:
        """Never a confident wrong answer by spelling alone: below
        :data:`SPELLING_MIN_CONFIDENCE` the answer is not taken; it and its alternatives become
        suggestions (``method`` and ``confidence`` say what the guess was)."""
        # A label several concepts share lowers the confidence, not the spelling's certainty.
        certainty = answer.confidence / (AMBIGUITY_FACTOR if answer.shared else 1.0)
        if (answer.resolved and answer.method in SPELLING_METHODS
                and certainty < SPELLING_MIN_CONFIDENCE):
            return replace(answer, indices=(), uri=None, label=None, language=None,
                           suggestions=tuple(dict.fromkeys(
                               [answer.label or "", *answer.suggestions]))[:N_SUGGESTIONS])
        return answer

    def _inflected(self, text: str) -> Hits:
        """Hits of the ``inflection`` step: the text's stems, then its joined stems."""
        stems = self._stem_index()
        hits: Hits = {}
        for lang in self._languages:
            _merge_hits(hits, stems.get(f"{lang}:{self._stem_key(text, lang)}"))
        joined = text.replace(" ", "")
        if not hits and joined != text:
            for lang in self._languages:
                _merge_hits(hits, stems.get(f"{lang}:{self._stem_key(joined, lang)}"))
        return hits

    def _known(self, text: str) -> Hits:
        """Hits of a text as a whole label: normalised, joined or inflected."""
        return (self._normalised.get(text) or self._joined.get(text.replace(" ", ""))
                or self._inflected(text))

    def _heads(self) -> tuple[list[str], list[int]]:
        """Every label's last word reversed, sorted, with the label's position in
        ``_fuzzy_keys``: the labels whose last word ends with a given head are one range."""
        if self._reversed is None:
            pairs = sorted((key.rsplit(" ", 1)[-1][::-1], p)
                           for p, key in enumerate(self._fuzzy_keys))
            self._reversed = ([w for w, _ in pairs], [p for _, p in pairs])
        return self._reversed

    def _generic_compound(self, term: str, text: str) -> Resolution | None:
        """A one-word compound with a generic head ("-arbeider", "-hjelper"): the head says
        only "works with"; the modifier names the work, and the shortest title that begins
        with it is the answer (``renholdsarbeider`` -> ``renholder``)."""
        if " " in text:
            return None
        for generic in _GENERIC_HEADS:
            root = text[: -len(generic)].rstrip("s") if text.endswith(generic) else ""
            if len(root) >= MIN_ROOT:
                # Only a noun made from the modifier itself (renhold -> renholder), not any
                # word that happens to begin with it (vask -> vaskeriansvarlig).
                led = [k for k in self._fuzzy_keys_from(root) if len(k) <= len(root) + 3]
                if led:
                    found = self._normalised.get(led[0])
                    return self._decide(term, "compound", found, dict.fromkeys(found, led[0]),
                                        scale=COMPOUND_FACTOR)
        return None

    def _compound(self, term: str, text: str) -> Resolution | None:
        """A compound whose head (last part) is a known title: the modifier is the evidence.

        ``renholdsarbeider`` = ``renholds`` + ``arbeider``. The longest known head wins. Among
        the labels ending in that head, one that also holds the modifier ("gårds" in
        "vingårdsarbeider" would not be enough: the whole modifier must be in it) is the answer;
        else an occupation among the head's candidates whose labels hold the modifier; else a
        label that begins with the modifier ("renholder" for "renhold-"); else the head itself,
        with less confidence.
        """
        words = text.split()
        last = words[-1]
        lead = " ".join(words[:-1])
        for cut in range(MIN_MODIFIER, len(last) - MIN_HEAD + 1):
            head = last[cut:]
            head_hits = self._known(head)
            if not head_hits:
                continue
            modifier = last[:cut]
            # Linking letters: renhold-s-arbeider, barne-hage.
            root = modifier[:-1] if (modifier.endswith(("s", "e")) and len(modifier) > 4) \
                else modifier
            reversed_words, positions = self._heads()
            start = bisect_left(reversed_words, head[::-1])
            end = bisect_left(reversed_words, head[::-1] + "\U0010ffff")
            same_head = [self._fuzzy_keys[positions[k]] for k in range(start, end)]
            hits: Hits = {}
            for key in sorted(same_head, key=lambda k: (len(k), k)):
                if root in key and (not lead or lead in key):
                    _merge_hits(hits, self._normalised.get(key))
                    break
            if hits:
                return self._decide(term, "compound", hits, dict.fromkeys(hits, text),
                                    scale=COMPOUND_FACTOR)
            answer = self._decide(head, "compound", head_hits, dict.fromkeys(head_hits, head))
            tax = self.taxonomy
            pool = [u for u in answer.candidates]
            labels = self._target_labels()
            for uri in pool:
                i = tax._occupation_by_uri.get(uri)
                if i is not None and any(root in label for label in labels.get(i, ())):
                    hits = {i: (_ALT, answer.language or "")}
                    return self._decide(term, "compound", hits, dict.fromkeys(hits, text),
                                        scale=COMPOUND_FACTOR)
            if len(root) >= MIN_ROOT:
                led = [key for key in self._fuzzy_keys_from(root)]
                if led:
                    found = self._normalised.get(led[0])
                    return self._decide(term, "compound", found, dict.fromkeys(found, led[0]),
                                        scale=COMPOUND_FACTOR * COMPOUND_WEAK_FACTOR)
            return replace(answer, term=term, method="compound", confidence=round(
                answer.confidence * COMPOUND_FACTOR * COMPOUND_WEAK_FACTOR, 4))
        return None

    def _fuzzy_keys_from(self, root: str) -> list[str]:
        """Single-word labels that begin with ``root``, shortest first."""
        if self._sorted_keys is None:
            self._sorted_keys = sorted(k for k in self._fuzzy_keys if " " not in k)
        keys = self._sorted_keys
        start = bisect_left(keys, root)
        end = bisect_left(keys, root + "\U0010ffff")
        return sorted(keys[start:end], key=lambda k: (len(k), k))

    def _target_code(self, target: int) -> str:
        if target >= self._n:
            return self._groups[target - self._n].code
        if self.kind == "occupation":
            return self.taxonomy.occupation_styrk[target] or self.taxonomy.occupation_isco[target]
        return str(target)

    def _ngrams(self) -> _NgramIndex:
        """The n-gram index of every label but the English ones (see :meth:`_build_ngrams`)."""
        if self._ngram_index is None:
            self._build_ngrams()
        assert self._ngram_index is not None
        return self._ngram_index

    def _group_model(self) -> _GroupModel:
        """The group model over the n-gram index's labels (built with it, on first use)."""
        if self._group_model_ is None:
            self._build_ngrams()
        assert self._group_model_ is not None
        return self._group_model_

    def _build_ngrams(self) -> None:
        """The n-gram index and the group model: read from the disk cache, where a process
        before this one built them from the same labels, else built (scikit-learn fits the
        vectorizer, 1-2 s) and cached (:func:`matcher.taxonomy.cachedir.cache_dir`,
        ``resolve-<hash>.npz``, named by a hash of this module's code, the scikit-learn version
        and every label and group the index is built from)."""
        labels = self._labelled()
        with self._lock:
            if self._ngram_index is not None:
                return
            # Caseworkers' titles are Norwegian and Danish: English labels (half of all) would
            # double the build for little gain.
            nordic = {text for text, lang in zip(labels.normalised, labels.langs, strict=True)
                      if lang != "en"}
            keys = [key for key in self._fuzzy_keys if key in nordic] or self._fuzzy_keys
            codes, membership = self._membership(keys)
            path = cache_dir() / f"resolve-{_index_key(keys, codes, membership)}.npz"
            found = _read_index(path, keys, len(codes))
            if found is None:
                found = _fit_index(keys, membership)
                _write_index(path, *found)
            index, log_counts, const = found
            binary = membership.tocsr()
            positions = tuple(binary.indices[binary.indptr[c]:binary.indptr[c + 1]]
                              for c in range(len(codes)))
            # The word model reads Norwegian and Danish titles; a resolver restricted to
            # English (its keys the English labels) does without it.
            words = self._fit_words(keys, codes, membership) if codes and nordic else None
            self._group_model_ = _GroupModel(tuple(codes), log_counts, const, positions, words)
            self._ngram_index = index

    def _fit_words(self, keys: list[str], codes: list[str],
                   membership: sp.csr_matrix) -> WordModel:
        """The word model over the group model's labels and groups, with NAV's titles once more
        with their qualifier as features of its own (:mod:`matcher.taxonomy.wordmodel`)."""
        cells = membership.tocoo()
        rows = [(keys[p], "", int(c), float(w))
                for c, p, w in zip(cells.row, cells.col, cells.data, strict=True)]
        code_of = {code: c for c, code in enumerate(codes)}
        for title, lang, _, target in self.taxonomy.titles:
            c = code_of.get(target)
            if c is None or (self.only is not None and lang not in self.only):
                continue
            folded = _fold(title)
            rows.append((_normalise_folded(_QUALIFIER.sub(" ", folded)), _qualifier(title), c,
                         GROUP_TITLE_WEIGHT))
        heads = frozenset(k for k in keys if " " not in k and len(k) >= _WORD_HEAD)
        return load_word_model(rows, len(codes), heads)

    def _membership(self, keys: list[str]) -> tuple[list[str], sp.csr_matrix]:
        """The unit groups the labels name and the groups x labels weights of the group
        model: a label counts for the group of each concept it names, a NAV title with weight
        :data:`GROUP_TITLE_WEIGHT`."""
        code_of: dict[str, int] = {}
        cells: dict[tuple[int, int], float] = {}
        for position, key in enumerate(keys):
            for target, (rank, _) in self._normalised.get(key).items():
                code = self._target_code(target)
                if len(code) != 4:  # a broader ISCO group names no unit group
                    continue
                c = code_of.setdefault(code, len(code_of))
                # A title's base without its qualifier ("lærling") is counted too: it names
                # the groups of every title it is the base of.
                weight = (GROUP_TITLE_WEIGHT if target >= self._n and rank == _TITLE
                          else 1.0)
                cells[c, position] = max(cells.get((c, position), 0.0), weight)
        rows = np.fromiter((c for c, _ in cells), np.int64, len(cells))
        cols = np.fromiter((p for _, p in cells), np.int64, len(cells))
        weights = np.fromiter(cells.values(), np.float32, len(cells))
        membership = sp.csr_matrix((weights, (rows, cols)), shape=(len(code_of), len(keys)))
        membership.sort_indices()
        return list(code_of), membership

    def _prefetch_votes(self, terms: Iterable[str]) -> None:
        """Compute :meth:`_group_shares` of many terms (their normalised text) at once: one
        n-gram transform and one sparse product per block of terms instead of one per term."""
        todo = []
        for term in dict.fromkeys(terms):
            text = _normalise_folded(_fold(term))
            if text and (text, _qualifier(term)) not in self._shares:
                todo.append((text, term))
        if not todo:
            return
        if len(self._shares) + len(todo) >= self._CACHE_LIMIT:
            self._shares.clear()
        index = self._ngrams()
        model = self._group_model()
        for start in range(0, len(todo), _VOTE_BLOCK):
            block = todo[start:start + _VOTE_BLOCK]
            queries = index.transform([_emphasised(text, term) for text, term in block])
            loglik = self._with_words(
                (queries @ model.log_counts).toarray()
                + np.asarray(queries.sum(axis=1)) * model.const[None, :],
                [(text, _qualifier(term)) for text, term in block])
            for k, (text, term) in enumerate(block):
                self._shares[text, _qualifier(term)] = self._ranked_groups(loglik[k])

    def _similar_vote(self, text: str, term: str = "",
                      ) -> tuple[list[int], float, dict[int, str], dict[str, float]]:
        """The group model's answer for ``text`` (see :meth:`_vote`); a qualifier in
        parentheses in ``term`` counts twice for the group: in "Lærling (gjørtler)" it is the
        qualifier that names the trade."""
        key = (text, _qualifier(term))
        found = self._votes.get(key)
        if found is None:
            index = self._ngrams()
            query = index.transform([text])
            scores = (query @ index.by_feature).toarray().ravel()
            groups = self._shares.get(key)
            if groups is None:  # one transform serves both when there is no qualifier
                groups = self._shares[key] = self._ranked_groups(self._loglik(
                    index.transform([f"{text} {key[1]}"]) if key[1] else query, key))
            found = self._vote(text, scores, groups)
            if len(self._votes) >= self._CACHE_LIMIT:
                self._votes.clear()
            self._votes[key] = found
        return found

    def _group_shares(self, text: str, term: str = "") -> tuple[list[int], np.ndarray]:
        """The :data:`N_GROUPS` groups the group model ranks highest for ``text``, best first,
        and every group's share (a qualifier in ``term`` counts twice)."""
        key = (text, _qualifier(term))
        found = self._shares.get(key)
        if found is None:
            found = self._shares[key] = self._ranked_groups(
                self._loglik(self._ngrams().transform([_emphasised(text, term)]), key))
        return found

    def _loglik(self, query: sp.csr_matrix, key: tuple[str, str]) -> np.ndarray:
        """The group model's log-likelihood of each group for one query row, plus the word
        model's scores of ``key`` (normalised text, qualifier)."""
        model = self._group_model()
        return self._with_words((query @ model.log_counts).toarray()
                                + float(query.sum()) * model.const, [key])[0]

    def _with_words(self, loglik: np.ndarray, keys: list[tuple[str, str]]) -> np.ndarray:
        """The group model's log-likelihoods (rows: ``keys``) with the word model's scores
        added, except where that would move the first group to another ISCO major group
        (unchanged without a word model). ``keys`` are (normalised text, qualifier) pairs;
        the word model's scores are in log-likelihood units."""
        model = self._group_model()
        if model.words is None:
            return loglik
        # The qualifier's words count as words of the title too (as in its label, which the
        # model also learns from) and once more as a qualifier's.
        both = loglik + model.words.scores(keys) * (WORD_WEIGHT * GROUP_TEMPERATURE)
        # Words say what field a title is in, not at what level: where they alone would move
        # the first group to another major group (a graduate engineer's title "Annen
        # sivilingeniør (gartneri)" to garden labourers, 9214), the n-grams of the whole title
        # decide.
        codes = model.codes
        for k in range(both.shape[0]):
            if codes[int(both[k].argmax())][0] != codes[int(loglik[k].argmax())][0]:
                both[k] = loglik[k]
        return both

    @staticmethod
    def _ranked_groups(loglik: np.ndarray) -> tuple[list[int], np.ndarray]:
        if not loglik.size:  # a taxonomy without unit groups
            return [], loglik
        shares = np.exp((loglik - loglik.max()) / GROUP_TEMPERATURE)
        shares /= shares.sum()
        k = min(N_GROUPS, shares.size)
        top = np.argpartition(-shares, k - 1)[:k]
        return [int(c) for c in top[np.lexsort((top, -shares[top]))]], shares

    def _vote(self, text: str, scores: np.ndarray, groups: tuple[list[int], np.ndarray],
              ) -> tuple[list[int], float, dict[int, str], dict[str, float]]:
        """Targets for the :data:`N_GROUPS` groups the group model ranks highest: in each group,
        the concepts of its labels nearest to the text in character n-grams (cosine ``scores``
        at least :data:`SIMILAR_MIN_COSINE`), else its most general occupation; the first
        group's share; the label that brought each target; each ranked group's share.
        Nothing when no label is nearer than :data:`SIMILAR_MIN_COSINE`: a text that shares
        nothing with any label names no group."""
        if not scores.size or float(scores.max()) < SIMILAR_MIN_COSINE:
            return [], 0.0, {}, {}
        model = self._group_model()
        ngram_keys = self._ngrams().keys
        ranked, shares = groups
        if not ranked:
            return [], 0.0, {}, {}
        targets: list[int] = []
        keys: dict[int, str] = {}
        for c in ranked:
            code = model.codes[c]
            positions = model.positions[c]
            near = positions[np.argsort(-scores[positions], kind="stable")[:3]]
            found = False
            for position in near:
                if scores[position] < SIMILAR_MIN_COSINE:
                    break
                key = ngram_keys[position]
                for target in self._order(self._normalised.get(key)):
                    if self._target_code(target) == code and target not in keys:
                        targets.append(target)
                        keys[target] = key
                        found = True
            if not found:
                representative = self._representative(code)
                if representative is not None and representative not in keys:
                    targets.append(representative)
                    keys[representative] = text
        return (targets, float(shares[ranked[0]]), keys,
                {model.codes[c]: float(shares[c]) for c in ranked})

    def _representative(self, code: str) -> int | None:
        """The most general occupation of a group (filed under the group's code by the
        crosswalk, then under its own ISCO code; the shortest English label, the most labels),
        else the group itself."""
        if code not in self._representatives:
            tax = self.taxonomy
            members = tax.styrk_groups.get(code)
            if members is None or not members.size:
                members = tax.isco_groups.get(code)
            own = [int(i) for i in (() if members is None else members)
                   if self._target_code(int(i)) == code]
            labels = self._target_labels()
            if own:
                found = min(own, key=lambda i: (tax.occupation_isco[i] != code,
                                                self._label_length(i), -len(labels.get(i, ())),
                                                i))
            else:
                g = self._group_by_code.get(code, self._styrk_by_code.get(code))
                found = -1 if g is None else self._n + g
            self._representatives[code] = found
        found = self._representatives[code]
        return None if found < 0 else found

    def _similar(self, text: str) -> list[int]:
        return self._similar_vote(text)[0]

    def _suggest(self, text: str) -> list[int]:
        """Targets near an unresolved term: the nearest labels by character n-grams (grouped,
        see :meth:`_similar`), then labels sharing its rarest words, then similar spellings."""
        targets = self._similar(text) if self.kind == "occupation" else []
        words = self._word_index()
        n_keys = len(self._fuzzy_keys)
        overlap: dict[int, float] = {}
        for word in set(text.split()):
            postings: set[int] = set()
            for lang in self._languages:
                postings.update(words.get(f"{lang}:{self._stem(word, lang)}", ()))
            if postings:
                weight = math.log(1.0 + n_keys / len(postings))
                for position in postings:
                    overlap[position] = overlap.get(position, 0.0) + weight
        shared = sorted(overlap, key=lambda p: (-overlap[p], self._fuzzy_lengths[p], p))[:10]
        keys = [self._fuzzy_keys[p] for p in shared]
        keys += [key for key, _ in self._fuzzy(text, SUGGESTION_CUTOFF, 10, prefilter=False)]
        for key in keys:
            targets += self._order(self._normalised.get(key))
        return list(dict.fromkeys(targets))
