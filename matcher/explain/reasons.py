"""The reasons for one batch: one small method per clause, the words in :mod:`.phrases`.

For a match, in this order: the skills the seeker brings and where each count comes from
(listed, or from experience as ...), the related experience that counted through ESCO's skill
groups (transferable skills), what the closest past occupation carries over, the wish the role
meets, what the role will train, what is still to learn, a permanent position, the adaptations
the role offers, and better roles that did not say whether they offer a needed adaptation.

For a seeker left unmatched, the first that applies of:

1. there are no open roles;
2. roles fit, but every one went to someone else: the best one is named with who holds its
   places and exactly how much total score a place there would cost (from the solver's
   freeing costs, see :func:`matcher.assign.freeing_cost`);
3. nothing in the profile to go on: no experience, skills or wishes recorded, or none of them
   recognised (the terms are named with the closest suggestions);
4. roles pass the hard constraints, but none reaches the minimum score: the best is named;
5. no role passes the hard constraints: each constraint with how many roles it excluded, the
   one that excluded most first.

Then what else would change the answer: the roles that would fit but did not say whether they
offer an adaptation the seeker needs (ask them), the best-fitting role a hard constraint took
away, and the terms that were not recognised. Reasons name roles by id, title and enterprise as
the enterprise wrote them, and other seekers by id only, never by name.

:meth:`Explainer.explain_all` writes a whole assignment's reasons chunk by chunk: what a
reason says about skills and the closest occupations is summed up for every matched pair of a
chunk at once in numpy (:class:`_SkillFacts`), and what is the same for many reasons (a role's
name, an occupation's phrase, a carried-over clause) is kept, each keyed on everything its
text depends on, so a reason reads the same whatever else is in the batch
(docs/architecture.md, explain).
"""

from __future__ import annotations

import gc
import heapq
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from matcher.encode import OccupationConcepts, RoleVectors, SeekerVectors, SkillSpace
from matcher.explain.choices import Choices
from matcher.explain.phrases import Phrases
from matcher.score import CONSTRAINTS, CandidateGraph
from matcher.taxonomy import Resolution, Taxonomy
from matcher.taxonomy.adaptations import adaptation_label
from matcher.taxonomy.similarity import carried_skills
from matcher.terms import ResolvedTerms

__all__ = ["Explainer", "Names", "holders_of", "pair_scores"]

#: how many skills a reason names in one list
_LIST = 3
#: how many roles or other seekers a reason names before "and N more"
_NAMED = 3
#: transfer similarity from which a past occupation is named as carrying over (about an
#: origin's 50th most similar occupation of 3,006)
_CARRIES_OVER = 0.5
#: a skill group named as "related skills" must be at least this specific (IDF); broad groups
#: such as "handling and moving" reach most occupations and explain nothing
_GROUP_IDF = 1.5
#: how many of the groups most missing requirements share are weighed against each other
_GROUP_CANDIDATES = 12
#: the taxonomy's language codes for each reason language, first found wins (ESCO writes
#: Norwegian as 'no'; a label table may say 'nb')
_TAXONOMY_LANG = {"en": ("en",), "nb": ("no", "nb"), "da": ("da",)}
#: seeker columns whose terms the taxonomy resolves, in the order a reason names them
_PROFILE = ("experience", "skills", "wishes")
_ISCO_URI = "http://data.europa.eu/esco/isco/C"


def _entry(matrix: sp.csr_array, i: int, j: int) -> float:
    """``matrix[i, j]`` read from the row's arrays (scipy's element indexing validates its
    arguments on every call, which dominated when every reason did it)."""
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    hit = matrix.data[lo:hi][matrix.indices[lo:hi] == j]
    return float(hit.sum()) if hit.size else 0.0


def pair_scores(scores: sp.csr_array, role_of_seeker: np.ndarray) -> np.ndarray:
    """``scores[i, role_of_seeker[i]]`` for every seeker at once, NaN where unmatched.

    Duplicate entries are summed and a pair not stored reads 0, as ``scores[i, j]`` does.
    """
    roles = np.asarray(role_of_seeker, dtype=np.int64)
    out = np.full(roles.size, np.nan)
    rows = np.flatnonzero(roles >= 0)
    if rows.size == 0:
        return out
    if not scores.has_canonical_format:
        scores = scores.copy()
        scores.sum_duplicates()
    n_cols = scores.shape[1]
    # rows are stored in order and each row's columns sorted: one key per entry, sorted
    keys = np.repeat(np.arange(scores.shape[0], dtype=np.int64), np.diff(scores.indptr))
    keys = keys * n_cols + scores.indices
    want = rows * n_cols + roles[rows]
    if keys.size == 0:
        out[rows] = 0.0
        return out
    at = np.minimum(np.searchsorted(keys, want), keys.size - 1)
    out[rows] = np.where(keys[at] == want, scores.data[at], 0.0)
    return out


def _gather(matrix: sp.csr_array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored entries of ``rows`` (with repeats), in stored order: (position in ``rows``,
    column) for each."""
    lens = np.diff(matrix.indptr)[rows]
    owner = np.repeat(np.arange(len(rows)), lens)
    offset = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    return owner, matrix.indices[np.repeat(matrix.indptr[rows], lens) + offset]


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is one of ``sorted_keys`` (a binary search each)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[at] == keys


class _Cells:
    """Which skills some seekers have, cover and list, for a chunk of them at a time: one
    dense block of bit flags (a row per position in the chunk), allocated once and cleared
    entry by entry after each chunk, so a chunk costs what it stores, not the block's size."""

    HAVE, COVERED, LISTED = 1, 2, 4

    def __init__(self, rows: int, width: int) -> None:
        self.width = width
        self.flat = np.zeros(rows * width, dtype=np.uint8)
        self._set: list[np.ndarray] = []

    def fill(self, flag: int, matrix: sp.csr_array, rows: np.ndarray) -> None:
        owner, cols = _gather(matrix, rows)
        at = owner * self.width + cols
        self.flat[at] |= flag
        self._set.append(at)

    def flags(self, owner: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.flat[owner * self.width + cols]

    def __call__(self, flag: int, owner: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return (self.flags(owner, cols) & flag) > 0

    def clear(self) -> None:
        for at in self._set:
            self.flat[at] = 0
        self._set.clear()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a bulk step, as it was after it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _flat_lists(lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ints end to end: (``start``, ``flat``), list ``i`` at
    ``flat[start[i]:start[i + 1]]``."""
    start = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=start[1:])
    return start, np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(start[-1]))


def _split(owner: np.ndarray, values: np.ndarray, n: int) -> list[list[Any]]:
    """``values`` grouped by ``owner`` (0..n-1, ascending), as lists, order kept."""
    ends = np.cumsum(np.bincount(owner, minlength=n)).tolist()
    flat = values.tolist()
    return [flat[a:b] for a, b in zip([0, *ends][:n], ends, strict=True)]


class _SkillFacts(NamedTuple):
    """What a matched pair's skill clauses are written from, summed up in bulk for many pairs
    (skills most specific first, as :meth:`Explainer._by_specificity` sorts them)."""

    need: int  # how many skills the role requires
    shared: int  # how many of them the seeker has
    listed: tuple[int, list[int]]  # of those, how many the seeker lists, the first few
    # of the others, by the first past occupation implying each (its place in the cell;
    # one entry per occupation URI, in the order its first skill comes): how many, first few
    from_past: list[tuple[int, int, list[int]]]
    to_learn: list[int]  # the most specific required skills not even partly covered
    trains: list[int]  # the most specific skills the role trains that the seeker lacks
    related: list[int]  # groups above missing skills the seeker covers, most shared first
    # the closest past occupation and wish to the role's occupation: (place in the seeker's
    # list, first best; similarity), or None without either side
    carried: tuple[int, float] | None
    wish: tuple[int, float] | None
    asks: bool  # the seeker has roles to ask about a need


def holders_of(role_of_seeker: np.ndarray) -> dict[int, list[int]]:
    """Role -> the seekers holding one of its places, in seeker order."""
    out: dict[int, list[int]] = {}
    for h, j in enumerate(np.asarray(role_of_seeker).tolist()):
        if j >= 0:
            out.setdefault(j, []).append(h)
    return out


#: an ESCO Norwegian or Danish name with its qualifier after a comma or a dash
#: ("gårdbruker, kombinasjonsbruk", "landbrugsassistent - afgrøder")
_QUALIFIED = re.compile(r"^([^,()]+?)(?:,| - )\s*([^,()]+)$")


def _in_sentence(name: str) -> str:
    """A Norwegian or Danish occupation name as a sentence can hold it: its qualifier in
    parentheses, so that a list of names stays readable ("som gårdbruker (kombinasjonsbruk)
    og som agronom", not "som gårdbruker, kombinasjonsbruk og som agronom"). The name written
    so resolves to the same occupation.

    >>> _in_sentence("gårdbruker, kombinasjonsbruk"), _in_sentence("landbrugsassistent - afgrøder")
    ('gårdbruker (kombinasjonsbruk)', 'landbrugsassistent (afgrøder)')
    >>> _in_sentence("kokk"), _in_sentence("operatør, trykking, papir")
    ('kokk', 'operatør, trykking, papir')
    """
    match = _QUALIFIED.match(name)
    return f"{match.group(1).strip()} ({match.group(2).strip()})" if match else name


@dataclass(frozen=True, eq=False)
class Names:
    """Concepts named in a reason language: an occupation, skill or ISCO/STYRK group by the
    taxonomy's label in that language (ESCO's ``no`` labels for bokmål), English where it has
    none. What the reasons and the localised warnings name concepts with."""

    taxonomy: Taxonomy
    lang: str = "en"

    @cached_property
    def say(self) -> Phrases:
        return Phrases(self.lang)

    @cached_property
    def tax_lang(self) -> str:
        """The taxonomy's code for the reason language (its occupation or skill labels)."""
        known = set(self.taxonomy.occupation_names) | set(self.taxonomy.skill_names)
        codes = _TAXONOMY_LANG[self.lang]
        return next((code for code in codes if code in known), codes[0])

    def concept_name(self, uri: str | None) -> str | None:
        """An occupation, skill or ISCO/STYRK group by URI, named in the language
        (:meth:`matcher.taxonomy.Taxonomy.concept_name`)."""
        return self.taxonomy.concept_name(uri, self.tax_lang)

    def concept_names(self, uris: Sequence[str], fallback: Sequence[str] = (),
                      limit: int = 3) -> list[str]:
        """The first ``limit`` distinct names of ``uris`` (see :meth:`concept_name`), or of
        ``fallback`` (names as the resolver gave them) when none of the URIs is known."""
        names = [n for n in map(self.concept_name, uris) if n is not None] or list(fallback)
        return list(dict.fromkeys(names))[:limit]


@dataclass(frozen=True, eq=False)
class Explainer:
    """Writes the reasons for one batch; holds the batch's encoded state.

    ``adaptation_keys`` are the adaptation keys in the column order of ``seekers.needs`` and
    ``roles.offers``; ``lang`` is the language of the reasons ('en', 'nb' or 'da');
    ``choices`` the policy and the caseworker's locks and forbids (default: the fit policy,
    no overrides).
    """

    taxonomy: Taxonomy
    space: SkillSpace
    concepts: OccupationConcepts
    seeker_ids: Sequence[str]
    role_ids: Sequence[str]
    role_titles: Sequence[str]
    enterprises: Sequence[str]
    seeker_terms: ResolvedTerms
    role_terms: ResolvedTerms
    seekers: SeekerVectors
    roles: RoleVectors
    graph: CandidateGraph
    adaptation_keys: Sequence[str]
    min_score: float
    lang: str = "en"
    choices: Choices = field(default_factory=Choices)

    # -- names in the reason's language -------------------------------------------------------

    @cached_property
    def names(self) -> Names:
        """How this batch's reasons name concepts."""
        return Names(self.taxonomy, self.lang)

    @property
    def say(self) -> Phrases:
        return self.names.say

    @property
    def _tax_lang(self) -> str:
        return self.names.tax_lang

    @cached_property
    def _skill_names(self) -> Sequence[tuple[str, ...]] | None:
        return self.taxonomy.skill_names.get(self._tax_lang)

    @cached_property
    def _skill_label(self) -> list[str]:
        """Every skill's name in the reason's language, English where the taxonomy has none."""
        english = self.taxonomy.skill_labels
        names = self._skill_names
        if names is None:
            return [str(label).strip() for label in english]
        return [str(n[0] if n else label).strip() for n, label in zip(names, english, strict=True)]

    def _skill(self, k: int) -> str:
        return self._skill_label[k]

    def _occupation(self, o: int) -> str:
        names = self.taxonomy.occupation_names.get(self._tax_lang)
        if names is not None and names[o]:
            return _in_sentence(str(names[o][0]).strip())
        return str(self.taxonomy.occupation_labels[o]).strip()

    def _group(self, res: Resolution) -> str | None:
        """The name of the ISCO/STYRK group ``res`` stands for, or None for one occupation."""
        if len(res.indices) == 1 or not (res.uri or "").startswith(_ISCO_URI):
            return None
        by_lang = self.taxonomy.isco_names.get(str(res.uri)[len(_ISCO_URI):], {})
        names = by_lang.get(self._tax_lang) or by_lang.get("en") or (res.label or "",)
        return str(names[0]).strip()

    def _occ_name(self, res: Resolution) -> str:
        group = self._group(res)
        if group is not None:
            return self.say.quote(group)
        if res.indices:
            return self._occupation(res.indices[0])
        return str(res.label or res.term)

    def _as(self, res: Resolution) -> str:
        """'as cook' / 'som kokk', or 'in the occupation group ...' for a group."""
        text = self._as_known.get(res)
        if text is None:
            key = "as_group" if self._group(res) is not None else "as_occupation"
            text = self._as_known[res] = self.say(key, name=self._occ_name(res))
        return text

    @cached_property
    def _as_known(self) -> dict[Resolution, str]:
        return {}

    def _skills(self, ks: Sequence[int], total: int | None = None) -> str:
        """The first skills of ``ks``; "among them ..." when ``total`` says there are more."""
        names = self.say.join([self._skill(k) for k in ks[:_LIST]])
        if total is not None and total > min(len(ks), _LIST):
            return self.say("among", names=names)
        return names

    def _role_name(self, j: int) -> str:
        """The role as the enterprise wrote it: id, title in quotes, "at" enterprise."""
        name = self._role_names.get(j)
        if name is None:
            name = str(self.role_ids[j])
            if self.role_titles[j]:
                name += " " + self.say.quote(self.role_titles[j])
            if self.enterprises[j]:
                name += f" {self.say('at')} {self.enterprises[j]}"
            self._role_names[j] = name
        return name

    def _roles(self, js: Sequence[int], total: int) -> str:
        names = [self._role_name(j) for j in js]
        if total > len(names):
            names.append(self.say.count("more", total - len(names)))
        return self.say.join(names)

    def _needs(self, i: int) -> list[str]:
        keys = tuple(np.flatnonzero(self.seekers.needs[i]).tolist()) if self._any_needs[i] else ()
        labels = self._need_labels.get(keys)
        if labels is None:
            labels = [adaptation_label(self.adaptation_keys[n], self.lang) for n in keys]
            self._need_labels[keys] = labels
        return list(labels)

    def _by_specificity(self, skills: set[int]) -> list[int]:
        """Most specific first (highest IDF), then by name, then by skill index (skills with
        the same IDF and name), so the order never depends on how a set was built."""
        place = self._specificity
        return sorted(skills, key=lambda k: (place[k], k))

    def _most_specific(self, skills: set[int] | list[int], n: int = _LIST) -> list[int]:
        """``_by_specificity(skills)[:n]`` without sorting the rest (the same order)."""
        place = self._specificity
        return heapq.nsmallest(n, skills, key=lambda k: (place[k], k))

    @cached_property
    def _specificity(self) -> list[int]:
        """Each skill's place in the order (-IDF, name), equal keys sharing one place, so that
        sorting by it keeps the ties in the order they came, as sorting by the key does."""
        idf, names = self.space.idf.tolist(), self._skill_label
        keys = [(-idf[k], names[k]) for k in range(len(names))]
        place = [0] * len(keys)
        previous, rank = None, -1
        for k in sorted(range(len(keys)), key=keys.__getitem__):
            if keys[k] != previous:
                previous, rank = keys[k], rank + 1
            place[k] = rank
        return place

    @cached_property
    def _any_needs(self) -> list[bool]:
        counts = np.count_nonzero(np.asarray(self.seekers.needs, dtype=bool), axis=1)
        return [n > 0 for n in np.atleast_1d(counts).tolist()]

    @cached_property
    def _need_labels(self) -> dict[tuple[int, ...], list[str]]:
        return {}

    @cached_property
    def _role_names(self) -> dict[int, str]:
        return {}

    # -- a batch ------------------------------------------------------------------------------

    def explain_all(self, role_of_seeker: np.ndarray, freeing_cost: np.ndarray,
                    seekers: Sequence[int] | None = None) -> list[str]:
        """The reasons of ``seekers`` (default: every seeker, in order) under one assignment:
        :meth:`explain_match` or :meth:`explain_unmatched` for each, with what they share
        looked up once.

        Python's cycle collector is paused meanwhile (and restored): the reasons are built
        from many small lists and tuples that reference counting frees, and each full
        collection would walk every object of the batch (a quarter of the stage's time at
        30,000 seekers).
        """
        role_of_seeker = np.asarray(role_of_seeker)
        which = (np.arange(len(role_of_seeker)) if seekers is None
                 else np.asarray(seekers, dtype=np.int64).reshape(-1))
        with _collector_paused():
            score = pair_scores(self.graph.scores, role_of_seeker).tolist()
            holders = holders_of(role_of_seeker)
            roles = role_of_seeker[which].astype(np.int64)
            cells = _Cells(min(len(which), self._CHUNK), self.roles.need.shape[1])
            out = []
            # chunk by chunk, so the facts held at once stay bounded by a chunk
            for lo in range(0, len(which), self._CHUNK):
                block, to = which[lo:lo + self._CHUNK], roles[lo:lo + self._CHUNK]
                facts = iter(self._skill_facts_chunk(block[to >= 0], to[to >= 0], cells))
                cells.clear()
                for i, j in zip(block.tolist(), to.tolist(), strict=True):
                    if j >= 0:
                        out.append(self.explain_match(i, j, score[i], facts=next(facts)))
                    else:
                        out.append(self.explain_unmatched(i, role_of_seeker, freeing_cost,
                                                          holders=holders))
            return out

    #: seekers whose skill facts are computed together (bounds the block of flags, chunk x
    #: skills bytes: 57 MB with ESCO's 13,939 skills)
    _CHUNK = 4096

    def _skill_facts(self, seekers: np.ndarray, roles: np.ndarray) -> list[_SkillFacts]:
        """The skill facts of the pairs (``seekers[r]``, ``roles[r]``), all at once: sparse
        row gathers and lookups in a block of flags instead of a set per seeker."""
        out: list[_SkillFacts] = []
        cells = _Cells(min(len(seekers), self._CHUNK), self.roles.need.shape[1])
        for lo in range(0, len(seekers), self._CHUNK):
            out += self._skill_facts_chunk(seekers[lo:lo + self._CHUNK],
                                           roles[lo:lo + self._CHUNK], cells)
            cells.clear()
        return out

    def _skill_facts_chunk(self, seekers: np.ndarray, roles: np.ndarray, cells: _Cells
                           ) -> list[_SkillFacts]:
        n = len(seekers)
        cells.fill(cells.HAVE, self.seekers.have, seekers)
        cells.fill(cells.COVERED, self.seekers.covered, seekers)
        cells.fill(cells.LISTED, self._listed, seekers)
        owner, k = _gather(self.roles.need, roles)
        has = cells(cells.HAVE, owner, k)
        lacks = ~has
        gap = lacks & ~cells(cells.COVERED, owner, k)
        # groups above each missing skill that the seeker covers but does not hold outright
        m_owner, m_k = owner[lacks], k[lacks]
        g_pos, above = _gather(self._groups_above_matrix, m_k)
        g_owner = m_owner[g_pos]
        flags = cells.flags(g_owner, above)
        counted = (flags & (cells.HAVE | cells.COVERED)) == cells.COVERED
        width = self.roles.need.shape[1]
        keys, counts = np.unique(g_owner[counted] * width + above[counted], return_counts=True)
        t_owner, t_k = _gather(self.roles.trained, roles)
        t_lacks = ~cells(cells.HAVE, t_owner, t_k)
        need_len = np.diff(self.roles.need.indptr)[roles].tolist()
        summary = self._shared(seekers, owner[has], k[has],
                               cells(cells.LISTED, owner[has], k[has]))
        # ties (two skills of one place) fall back on the sets the clauses always sorted:
        # the missing skills filtered to the gaps, and the trained skills the seeker lacks
        to_learn = self._top(owner[gap], k[gap], n, lambda r: self._most_specific(
            [x for x in set(m_k[m_owner == r].tolist())
             if x in set(k[gap & (owner == r)].tolist())]))
        trains = self._top(t_owner[t_lacks], t_k[t_lacks], n, lambda r: self._most_specific(
            set(t_k[t_lacks & (t_owner == r)].tolist())))
        # the candidate groups by how many missing requirements they reach, then IDF, then
        # number (one integer key: every (pair, group) is distinct, so the order is total)
        g_owner, group = keys // width, keys % width
        most = int(counts.max()) + 1 if counts.size else 1
        order = np.argsort((g_owner * most + most - counts) * width + self._group_rank[group])
        g_owner, group = g_owner[order], group[order]
        within = np.arange(g_owner.size) - np.searchsorted(g_owner, g_owner)
        keep = within < _GROUP_CANDIDATES
        related = _split(g_owner[keep], group[keep], n)
        carried = self._closest(self._experience_ids, seekers, roles)
        wish = self._closest(self._wish_ids, seekers, roles)
        asks = (self.graph.ask_roles[seekers] >= 0).any(axis=1).tolist() if n else []
        return [
            _SkillFacts(need_len[r], *summary[r], to_learn[r], trains[r], related[r],
                        carried[r], wish[r], asks[r])
            for r in range(n)
        ]

    def _closest(self, concepts: tuple[np.ndarray, np.ndarray], seekers: np.ndarray,
                 roles: np.ndarray) -> list[tuple[int, float] | None]:
        """Per pair, the seeker's concept (of ``concepts``: ``ids[start[i]:start[i + 1]]``)
        most similar to the role's occupation: its place (the first best, as ``np.argmax``)
        and the similarity, from the batch's one similarity matrix; None when either side
        names none."""
        start, ids = concepts
        occ = self.roles.occupation[roles]
        first = start[seekers]
        count = np.where(occ >= 0, start[seekers + 1] - first, 0)
        out: list[tuple[int, float] | None] = [None] * len(seekers)
        if not count.any():
            return out
        row_of, col_of, sim = self._similarity_arrays
        entry = np.repeat(np.arange(len(seekers)), count)
        place = np.arange(entry.size) - np.repeat(np.cumsum(count) - count, count)
        values = sim[row_of[ids[first[entry] + place]], col_of[occ[entry]]]
        some = np.flatnonzero(count)
        best = np.maximum.reduceat(values, np.cumsum(count)[some] - count[some])
        at = np.flatnonzero(values == np.repeat(best, count[some]))
        pairs, where = np.unique(entry[at], return_index=True)
        for r, p, v in zip(pairs.tolist(), place[at[where]].tolist(), values[at[where]].tolist(),
                           strict=True):
            out[r] = (p, v)
        return out

    @cached_property
    def _similarity_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:attr:`_similarities` with its row and column maps as arrays over concept ids."""
        rows, cols, sim = self._similarities
        n = len(self.concepts.resolutions)
        row_of, col_of = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        row_of[list(rows)], col_of[list(cols)] = list(rows.values()), list(cols.values())
        return row_of, col_of, np.asarray(sim)

    @cached_property
    def _experience_ids(self) -> tuple[np.ndarray, np.ndarray]:
        return _flat_lists(self.seekers.experience)

    @cached_property
    def _wish_ids(self) -> tuple[np.ndarray, np.ndarray]:
        return _flat_lists(self.seekers.wishes)

    def _top(self, owner: np.ndarray, k: np.ndarray, n: int,
             exact: Callable[[int], list[int]]) -> list[list[int]]:
        """Per pair, the ``_LIST`` most specific of its skills (``owner`` ascending), as
        :meth:`_most_specific` picks them; a pair where two skills of one place (the same IDF
        and name) could swap or change what is picked is left to ``exact(pair)``, the same
        code one pair at a time, which orders ties as it always did."""
        rank = self._place[k]
        order = np.argsort(owner * (int(rank.max(initial=0)) + 1) + rank)
        owner, k, rank = owner[order], k[order], rank[order]
        start = np.searchsorted(owner, np.arange(n))
        within = np.arange(owner.size) - start[owner]
        tie = (owner[1:] == owner[:-1]) & (rank[1:] == rank[:-1]) & (within[:-1] < _LIST)
        keep = within < _LIST
        out = _split(owner[keep], k[keep], n)
        for r in np.unique(owner[1:][tie]).tolist():
            out[r] = exact(r)
        return out

    def _shared(self, seekers: np.ndarray, owner: np.ndarray, k: np.ndarray, listed: np.ndarray
                ) -> list[tuple[int, tuple[int, list[int]], list[tuple[int, int, list[int]]]]]:
        """Per pair, from the required skills the seeker has (``owner`` ascending; ``listed``
        whether the seeker lists each): how many, and the ``shared``, ``listed`` and
        ``from_past`` of :class:`_SkillFacts`."""
        n = len(seekers)
        # the first past occupation implying each skill: every (skill, past occupation) pair,
        # past occupations in the order written, the first hit kept
        start, ids, implied, names = self._past
        first = start[seekers[owner]]
        count = start[seekers[owner] + 1] - first
        entry = np.repeat(np.arange(owner.size), count)
        place = np.arange(entry.size) - np.repeat(np.cumsum(count) - count, count)
        width = self.roles.need.shape[1]
        hit = _member(ids[first[entry] + place] * width + k[entry], implied)
        source = np.full(owner.size, -1, dtype=np.int64)
        at = np.flatnonzero(hit)
        found, where = np.unique(entry[at], return_index=True)
        source[found] = place[at[where]]
        # where each skill is counted: 0 listed, 1 + the number of its occupation's URI, -1
        # neither
        group = np.where(listed, 0, -1)
        past = ~listed & (source >= 0)
        group[past] = 1 + names[first[past] + source[past]]
        # most specific first
        rank = self._place[k]
        order = np.argsort(owner * (int(rank.max(initial=0)) + 1) + rank)
        owner, k, rank, group, source = (owner[order], k[order], rank[order], group[order],
                                         source[order])
        n_shared = np.bincount(owner, minlength=n).tolist()
        pos = np.arange(owner.size) - np.searchsorted(owner, owner)
        # each (pair, group) in order of its first skill; its skills most specific first
        counted = np.flatnonzero(group >= 0)
        stride = int(group.max(initial=0)) + 1
        key = owner[counted] * stride + group[counted]
        by_group = counted[np.argsort(key, kind="stable")]
        key = owner[by_group] * stride + group[by_group]
        head = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else key
        size = np.diff(np.r_[head, key.size])
        within = np.arange(key.size) - np.repeat(head, size)
        top = _split(np.repeat(np.arange(head.size), size)[within < _LIST],
                     k[by_group][within < _LIST], head.size)
        lead = by_group[head]  # each group's most specific skill
        g_order = np.lexsort((pos[lead], owner[lead]))
        rows: list[tuple[int, tuple[int, list[int]], list[tuple[int, int, list[int]]]]] = [
            (n_shared[r], (0, []), []) for r in range(n)]
        for g in g_order.tolist():
            r, lead_g = int(owner[lead[g]]), int(lead[g])
            if group[lead_g] == 0:
                rows[r] = (rows[r][0], (int(size[g]), top[g]), rows[r][2])
            else:
                rows[r][2].append((int(source[lead_g]), int(size[g]), top[g]))
        # a pair with two skills of one place (the same IDF and name) is sorted as before,
        # ties in the order its set gives them
        tied = np.unique(owner[1:][(owner[1:] == owner[:-1]) & (rank[1:] == rank[:-1])])
        for r in tied.tolist():
            mine = owner == r
            rows[r] = self._summary(k[mine].tolist(), group[mine].tolist(),
                                    source[mine].tolist())
        return rows

    def _summary(self, skills: list[int], group: list[int], source: list[int]
                 ) -> tuple[int, tuple[int, list[int]], list[tuple[int, int, list[int]]]]:
        """:meth:`_shared` for one pair, in Python (its skills in any order)."""
        of = {s: (g, p) for s, g, p in zip(skills, group, source, strict=True)}
        ordered = self._by_specificity(set(skills))
        listed = [s for s in ordered if of[s][0] == 0]
        groups: dict[int, tuple[int, list[int]]] = {}
        for s in ordered:
            g, p = of[s]
            if g > 0:
                groups.setdefault(g, (p, []))[1].append(s)
        return (len(ordered), (len(listed), listed[:_LIST]),
                [(p, len(ks), ks[:_LIST]) for p, ks in groups.values()])

    @cached_property
    def _place(self) -> np.ndarray:
        return np.asarray(self._specificity, dtype=np.int64)

    @cached_property
    def _listed(self) -> sp.csr_array:
        """Seekers x skills: the skills each seeker lists."""
        cells = self.seeker_terms.concepts["skills"]
        counts = [sum(len(res.indices) for res in cell) for cell in cells]
        skills = np.fromiter(chain.from_iterable(res.indices for cell in cells for res in cell),
                             dtype=np.int64, count=sum(counts))
        indptr = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        return sp.csr_array((np.ones(skills.size, dtype=bool), skills, indptr),
                            shape=(len(cells), self.roles.need.shape[1]))

    @cached_property
    def _past(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each seeker's past occupations as numbers (``ids[start[i]:start[i + 1]]``, in the
        order written; one number per distinct set of occupation indices), the sorted keys
        ``number * n_skill + skill`` of the skills each implies (its occupations' rows), and
        for each past occupation a number per URI (or term, without one): a reason names
        each occupation once."""
        cells = self.seeker_terms.concepts["experience"]
        flat = list(chain.from_iterable(cells))
        number: dict[tuple[int, ...], int] = {}
        named: dict[str, int] = {}
        ids = np.fromiter((number.setdefault(res.indices, len(number)) for res in flat),
                          dtype=np.int64, count=len(flat))
        names = np.fromiter((named.setdefault(res.uri or res.term, len(named)) for res in flat),
                            dtype=np.int64, count=len(flat))
        start = np.zeros(len(cells) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in cells], out=start[1:])
        width = self.roles.need.shape[1]
        occ = self.taxonomy.occupation_skills
        keys = [c * width + occ.indices[occ.indptr[o]:occ.indptr[o + 1]].astype(np.int64)
                for indices, c in number.items() for o in indices]
        return (start, ids, np.unique(np.concatenate([*keys, np.zeros(0, dtype=np.int64)])),
                names)

    @cached_property
    def _group_rank(self) -> np.ndarray:
        """Each skill's place in the order (-IDF, number)."""
        idf = self.space.idf
        out = np.empty(idf.size, dtype=np.int64)
        out[np.lexsort((np.arange(idf.size), -idf))] = np.arange(idf.size)
        return out

    @cached_property
    def _groups_above_matrix(self) -> sp.csr_array:
        """Row ``k``: the broader skills and groups above ``k`` specific enough to be named."""
        spread = self.space.spread
        rows = np.repeat(np.arange(spread.shape[0]), np.diff(spread.indptr))
        keep = (spread.indices != rows) & (self.space.idf[spread.indices] > _GROUP_IDF)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[keep],
                                                            minlength=spread.shape[0]))])
        return sp.csr_array((np.ones(int(keep.sum())), spread.indices[keep], indptr),
                            shape=spread.shape)

    # -- a match, clause by clause --------------------------------------------------------------

    def explain_match(self, i: int, j: int, score: float, *,
                      facts: _SkillFacts | None = None) -> str:
        """The reason for matching seeker ``i`` to role ``j``.

        ``facts`` are the pair's skill facts when :meth:`explain_all` computed them in bulk.
        """
        if facts is None:
            facts = self._skill_facts(np.array([i]), np.array([j]))[0]
        occ = int(self.roles.occupation[j])
        parts = [
            self._clause_skills(i, facts),
            self._clause_related(i, facts),
            self._clause_carried(i, occ, facts.carried),
            self._clause_wish(i, facts.wish),
            self._clause_trains(facts),
            self._clause_to_learn(facts),
            self.say("permanent") if self.roles.permanent[j] >= 1.0 else "",
            self._clause_offers(i),
            self._clause_ask_better(i, score) if facts.asks else "",
            self._clause_better_excluded(i, score),
        ]
        lock = self.choices.locked.get(i)
        if lock is None:
            head = self.say("matched", role=self._role_name(j), score=self.say.number(score))
            return self.say.reason(head, parts)
        head = self.say("locked", role=self._role_name(j), score=self.say.number(score))
        return self.say.reason(head, [self._clause_lock_cost(lock.fit, lock.objective), *parts])

    def _clause_lock_cost(self, fit: float, objective: float | None) -> str:
        """What the lock cost in total fit (and in fit plus priority, under that policy)."""
        if fit > 5e-3:
            text = self.say("lock_cost", loss=self.say.number(fit))
        elif fit < -5e-3:
            text = self.say("lock_gain", gain=self.say.number(-fit))
        else:
            text = self.say("lock_free")
        if objective is not None:
            text += self.say("with_priority", loss=self.say.number(objective))
        return text

    def _clause_skills(self, i: int, facts: _SkillFacts) -> str:
        """How many required skills the seeker has, each count saying where it comes from."""
        if not facts.shared:
            return ""
        n_listed, listed = facts.listed
        past = self.seeker_terms.concepts["experience"][i]
        if facts.shared == facts.need > 1:  # "both" / "all 37", not "37 of the 37"
            count = (self.say("skills_both") if facts.need == 2
                     else self.say("skills_all", total=facts.need))
        else:
            count = self.say.count("skills_of", facts.shared, total=facts.need)
        if not facts.from_past:
            return self.say("skills_listed", count=count,
                            names=self._skills(listed, facts.shared))
        if not n_listed and len(facts.from_past) == 1:
            p, n, ks = facts.from_past[0]
            return self.say("skills_from", count=count, as_origin=self._as(past[p]),
                            names=self._skills(ks, n))
        parts = [self.say("part_listed", k=n_listed, names=self._skills(listed, n_listed))
                 ] if n_listed else []
        parts += [self.say("part_from", k=n, as_origin=self._as(past[p]),
                           names=self._skills(ks, n)) for p, n, ks in facts.from_past]
        return self.say("skills_mixed", count=count, parts=self.say.join(parts))

    def _related_groups(self, ranked: list[int]) -> list[int]:
        """The two broader skills or skill groups that most missing requirements share with the
        seeker's skills (not ones the seeker holds outright), none inside the other and no two
        with the same name; ``ranked`` are the candidates, most shared first (then IDF)."""
        idf = self.space.idf
        chosen: list[int] = []
        for a in ranked:
            if self._skill(a) in {self._skill(b) for b in chosen}:
                continue
            nested = [b for b in chosen if b in self._broader(a) or a in self._broader(b)]
            if not nested:
                chosen.append(a)
            elif all(idf[a] > idf[b] for b in nested):  # the narrower group says more
                chosen = [a if b == nested[0] else b for b in chosen if b not in nested[1:]]
        return chosen[:2]

    def _broader(self, k: int) -> set[int]:
        """``k`` and every broader skill or skill group above it."""
        found = self._broader_known.get(k)
        if found is None:
            spread = self.space.spread
            found = set(spread.indices[spread.indptr[k]:spread.indptr[k + 1]].tolist())
            self._broader_known[k] = found
        return found

    @cached_property
    def _broader_known(self) -> dict[int, set[int]]:
        return {}


    def _clause_related(self, i: int, facts: _SkillFacts) -> str:
        """Related experience that counted through ESCO's skill groups (transferable skills)."""
        groups = self._related_groups(facts.related)
        if not groups:
            return ""
        names = self.say.join([self.say.quote(self._skill(a)) for a in groups])
        past = self.seeker_terms.concepts["experience"][i]
        listed = [k for res in self.seeker_terms.concepts["skills"][i] for k in res.indices]
        # the credit is only said to come from experience when no listed skill reaches a group
        from_listed = any(a in self._broader(k) for k in listed for a in groups)
        if past and not from_listed:
            origin = self.say.join([self._as(res) for res in past])
            return self.say("related_from", groups=names, as_origin=origin)
        return self.say("related", groups=names)

    def _clause_carried(self, i: int, occ: int, closest: tuple[int, float] | None) -> str:
        """What the seeker's closest past occupation carries over to the role's occupation
        (``closest``: its place among the seeker's past occupations, and the similarity)."""
        if closest is None or closest[1] < _CARRIES_OVER:
            return ""
        origin, sim = self.seekers.experience[i][closest[0]], closest[1]
        # the clause depends on the closest past occupation and the role's only
        text = self._carried_known.get((origin, occ))
        if text is None:
            text = self._carried_known[origin, occ] = self._carried(origin, occ, sim)
        return text

    @cached_property
    def _carried_known(self) -> dict[tuple[int, int], str]:
        return {}

    def _carried(self, origin_id: int, occ: int, sim: float) -> str:
        origin, target = self.concepts.resolutions[origin_id], self.concepts.resolutions[occ]
        if sim >= 1.0:
            return self.say("worked_as", as_target=self._as(target))
        values = {"as_origin": self._as(origin), "target": self._occ_name(target),
                  "as_target": self._as(target), "sim": self.say.number(sim)}
        if len(origin.indices) == 1 and len(target.indices) == 1 and origin.uri != target.uri:
            skills = carried_skills(self.taxonomy, origin.indices[0], target.indices[0], top=3)
            if skills:
                names = [self._skill_named(s) for s in skills]
                return self.say("carries_skills", skills=self.say.join(names), **values)
        return self.say("carries", **values)

    @cached_property
    def _similarities(self) -> tuple[dict[int, int], dict[int, int], np.ndarray]:
        """Every seeker's wished and past occupations against every role's occupation: the
        matrix scoring asked for (kept by :class:`OccupationConcepts`), looked up once."""
        named = sorted({c for w in self.seekers.wishes + self.seekers.experience for c in w})
        targets = sorted({int(c) for c in self.roles.occupation if c >= 0})
        sim = np.asarray(self.concepts.similarity(named, targets))
        return ({c: a for a, c in enumerate(named)}, {c: b for b, c in enumerate(targets)}, sim)

    def _skill_named(self, label: str) -> str:
        """A skill given by its English label, in the reason's language when the taxonomy has it."""
        k = self._skill_by_label.get(label) if self._skill_names is not None else None
        return self._skill(k) if k is not None else label.strip()

    @cached_property
    def _skill_by_label(self) -> dict[str, int]:
        return {label: k for k, label in enumerate(self.taxonomy.skill_labels)}

    def _clause_wish(self, i: int, closest: tuple[int, float] | None) -> str:
        """The wish the role meets (``closest``: the closest wish's place and similarity)."""
        if closest is None or closest[1] < 0.5:
            return ""
        as_occ = self._as(self.concepts.resolutions[self.seekers.wishes[i][closest[0]]])
        return self.say("wish" if closest[1] >= 0.999 else "wish_related", as_occ=as_occ)

    def _clause_trains(self, facts: _SkillFacts) -> str:
        return self.say("trains", skills=self._skills(facts.trains)) if facts.trains else ""

    def _clause_to_learn(self, facts: _SkillFacts) -> str:
        gaps = facts.to_learn
        return self.say("to_learn", skills=self._skills(gaps)) if gaps else ""

    def _clause_offers(self, i: int) -> str:
        needs = self._needs(i)
        return self.say("offers", needs=self.say.join(needs)) if needs else ""

    def _clause_ask_better(self, i: int, score: float) -> str:
        """Roles that would fit better but did not say whether they offer what the seeker needs."""
        better = [int(j) for j in self.graph.ask_roles[i]
                  if j >= 0 and float(self._pair_score(i, int(j))) > score]
        if not better:
            return ""
        return self.say.count("ask_better", len(better), roles=self._roles(better, len(better)),
                              needs=self.say.join(self._needs(i)))

    def _clause_better_excluded(self, i: int, score: float) -> str:
        """The role that would fit the matched seeker best of all, when a hard constraint took
        it away (not one already named as a role to ask about a need)."""
        g = self.graph
        j = int(g.best_excluded[i])
        if j < 0 or not g.best_excluded_score[i] > score + 1e-9:
            return ""
        why = self._excluded_why(i, j, ask_named=True)  # else named by _clause_ask_better
        if why is None:
            return ""
        return self.say("better_excluded", role=self._role_name(j),
                        score=self.say.number(float(g.best_excluded_score[i])), why=why)

    def _pair_score(self, i: int, j: int) -> float:
        """The score of a pair a hard constraint excluded (kept by the graph for its best roles)."""
        return float(self.graph.ask_scores[i, list(self.graph.ask_roles[i]).index(j)])

    # -- no match, clause by clause -------------------------------------------------------------

    def explain_unmatched(
        self,
        i: int,
        role_of_seeker: np.ndarray,
        freeing_cost: np.ndarray,
        *,
        holders: dict[int, list[int]] | None = None,
    ) -> str:
        """The reason seeker ``i`` got no role.

        ``holders`` (role -> the seekers holding its places, in seeker order, as
        :func:`holders_of` gives it) saves looking them up in ``role_of_seeker`` when many
        reasons are written for one assignment.
        """
        g = self.graph
        recognised = any(self.seeker_terms.concepts[c][i] for c in _PROFILE)
        profile = "" if recognised else self._clause_profile(i)
        if len(self.role_ids) == 0:
            main = self.say("no_roles")
        elif g.scores.indptr[i + 1] > g.scores.indptr[i]:
            main = self._clause_lost(i, role_of_seeker, freeing_cost, holders)
        elif g.feasible[i] == 0:
            main = self._clause_none_pass(i)
        elif not recognised:
            # with nothing to go on, "no role reaches the minimum score" would mislead
            return self.say.reason(self.say("not_matched"), [profile])
        else:
            main = self._clause_below(i)
        ask = self._clause_ask(i)
        text = self.say.reason(self.say("not_matched"), [main, ask])
        if profile:
            text += " " + self.say.sentence(profile)
        text += self._clause_excluded_best(i, ask_named=bool(ask))
        if recognised:
            text += self._clause_unrecognised(i)
        return text

    def _clause_lost(self, i: int, role_of_seeker: np.ndarray, freeing_cost: np.ndarray,
                     holders: dict[int, list[int]] | None = None) -> str:
        """Every fitting role went to someone else: the best, who holds it, and the cost.

        Roles ruled out by hand for this seeker are never offered: they are named as such.
        """
        g = self.graph
        start, stop = g.scores.indptr[i], g.scores.indptr[i + 1]
        cols = g.scores.indices[start:stop]
        vals = g.scores.data[start:stop]
        order = np.lexsort((cols, -vals))
        banned = self.choices.forbidden
        if i in self._forbidding:
            ruled_out = [int(cols[k]) for k in order if (i, int(cols[k])) in banned]
            open_ = [k for k in order if (i, int(cols[k])) not in banned]
        else:
            ruled_out, open_ = [], order.tolist()
        if not open_:
            return self.say.count("lost_forbidden", len(ruled_out),
                                  roles=self._roles(ruled_out[:_NAMED], len(ruled_out)))
        # a role with no places (slots 0: full for now) went to no one: say so, not "lost"
        full = [int(cols[k]) for k in open_ if self.roles.slots[cols[k]] == 0]
        if len(full) == len(open_):
            k = open_[0]
            text = self.say.count("lost_full", len(open_), role=self._role_name(int(cols[k])),
                                  score=self.say.number(float(vals[k])))
            return text + self._clause_forbidden(ruled_out)
        if full:
            open_ = [k for k in open_ if self.roles.slots[cols[k]] > 0]
        j, s = int(cols[open_[0]]), float(vals[open_[0]])
        held_by = (holders.get(j, []) if holders is not None
                   else np.flatnonzero(role_of_seeker == j).tolist())
        held = sorted(
            ((_entry(g.scores, h, j), self.seeker_ids[h]) for h in held_by),
            key=lambda t: (-t[0], t[1]),
        )
        who = self.say.join_some(
            [f"{sid} ({self.say.number(hs)})" for hs, sid in held], _NAMED
        ) or self.say("no_places")
        text = self.say.count("lost", len(open_), role=self._role_name(j),
                              score=self.say.number(s), who=who)
        text += self._clause_cost(i, j, s, role_of_seeker, freeing_cost)
        if full:
            text += self.say.count("full_too", len(full),
                                   roles=self._roles(full[:_NAMED], len(full)))
        return text + self._clause_forbidden(ruled_out)

    def _clause_forbidden(self, ruled_out: Sequence[int]) -> str:
        if not ruled_out:
            return ""
        return self.say.count("forbidden", len(ruled_out),
                              roles=self._roles(ruled_out[:_NAMED], len(ruled_out)))

    @cached_property
    def _forbidding(self) -> set[int]:
        """The seekers with a role ruled out by hand."""
        return {i for i, _ in self.choices.forbidden}

    def _clause_cost(self, i: int, j: int, s: float, role_of_seeker: np.ndarray,
                     freeing_cost: np.ndarray) -> str:
        """What a place in ``j`` would cost the others, in fit (and fit plus priority)."""
        if np.isnan(freeing_cost[j]):
            return ""
        loss, objective = self.choices.fit_loss(i, j, s, freeing_cost, role_of_seeker)
        if objective is None:
            if loss > 1e-9:
                return self.say("cost", loss=self.say.number(loss))
            return self.say("tie")
        if objective <= 1e-9:
            return self.say("tie")
        if np.isnan(loss):
            return self.say("cost_objective", loss=self.say.number(objective))
        if loss < -1e-9:  # the place would go to someone nearer to work than the one it frees
            return self.say("cost_gain", gain=self.say.number(-loss),
                            loss=self.say.number(objective))
        return self.say("cost", loss=self.say.number(loss)) + self.say(
            "with_priority", loss=self.say.number(objective))

    def _clause_profile(self, i: int) -> str:
        """Nothing to go on: an empty profile, or terms none of which were recognised."""
        terms = self._unrecognised_terms(i)
        if not terms:
            return self.say("empty")
        return self.say.count("unrecognised_all", len(terms), terms=self.say.join(terms))

    def _clause_below(self, i: int) -> str:
        g = self.graph
        return self.say.count(
            "below", int(g.feasible[i]), min=self.say.number(self.min_score),
            role=self._role_name(int(g.best_below[i])),
            score=self.say.number(float(g.best_below_score[i])),
        )

    def _clause_none_pass(self, i: int) -> str:
        """No role passes the hard constraints: each with how many roles it excluded."""
        counts = self.graph.excluded[i]
        n_roles = len(self.role_ids)
        ranked = sorted((-int(counts[c]), c) for c in range(len(CONSTRAINTS)) if counts[c] > 0)
        if n_roles == 1:
            why = self.say.join([self._constraint(i, CONSTRAINTS[c], 1) for _, c in ranked])
            return self.say.count("none_pass", 1, why=why)
        clauses = [
            self.say("excluded_count", n=-neg, why=self._constraint(i, CONSTRAINTS[c], -neg))
            for neg, c in ranked
        ]
        return self.say.count("none_pass", n_roles, clauses=self.say.join_constraints(clauses))

    def _constraint(self, i: int, name: str, n: int) -> str:
        """What constraint ``name`` says about ``n`` roles ("are more than 30 km away")."""
        values = {
            "distance": {"km": self.say.plain(float(self.seekers.radius_km[i]))},
            "hours": {"hours": self.say.plain(float(self.seekers.hours_max[i]))},
            "language": {},
            "needs": {"needs": self.say.join(self._needs(i))},
        }[name]
        return self.say.count(name, n, **values)

    def _clause_ask(self, i: int) -> str:
        """Roles that would fit but did not say whether they offer what the seeker needs."""
        g = self.graph
        if g.ask_count[i] == 0:
            return ""
        shown = [int(j) for j in g.ask_roles[i] if j >= 0]
        n = int(g.ask_count[i])
        return self.say.count("ask", n, roles=self._roles(shown, n),
                              needs=self.say.join(self._needs(i)))

    def _excluded_why(self, i: int, j: int, *, ask_named: bool) -> str | None:
        """What took seeker ``i``'s best excluded role ``j`` away ("is more than 30 km away
        and ..."); ``None`` when only a need did and the role is already named among the roles
        to ask about it (``ask_named``)."""
        g = self.graph
        by = [name for c, name in enumerate(CONSTRAINTS) if g.best_excluded_by[i, c]]
        if ask_named and by == ["needs"] and j in g.ask_roles[i]:
            return None
        return self.say.join([self._constraint(i, name, 1) for name in by])

    def _clause_excluded_best(self, i: int, *, ask_named: bool) -> str:
        """The best-scoring role a hard constraint took away, when it beats what is left."""
        g = self.graph
        j = int(g.best_excluded[i])
        if j < 0:
            return ""
        start, stop = g.scores.indptr[i], g.scores.indptr[i + 1]
        open_ = [float(v) for c, v in zip(g.scores.indices[start:stop].tolist(),
                                          g.scores.data[start:stop].tolist(), strict=True)
                 if (i, c) not in self.choices.forbidden]  # a role ruled out is not left
        left = max(
            max(open_) if open_ else -np.inf,
            float(g.best_below_score[i]) if g.best_below[i] >= 0 else -np.inf,
        )
        if g.best_excluded_score[i] <= left:
            return ""
        why = self._excluded_why(i, j, ask_named=ask_named)
        if why is None:
            return ""  # already named among the roles to ask
        return self.say("excluded_best", role=self._role_name(j),
                        score=self.say.number(float(g.best_excluded_score[i])), why=why)

    def _unrecognised_terms(self, i: int) -> list[str]:
        """The seeker's terms that resolved to nothing, each with its column and suggestions."""
        out = []
        for column in _PROFILE:
            cells = self.seeker_terms.unresolved.get(column)
            for res in cells[i] if cells else []:
                closest = self._suggestions(res)
                values = {"term": self.say.quote(res.term), "column": self.say(column)}
                if closest:
                    out.append(self.say("term_closest", closest=self.say.join(closest), **values))
                else:
                    out.append(self.say("term", **values))
        return out

    def _suggestions(self, res: Resolution) -> list[str]:
        """Up to three near concepts, named in the reason's language where the URI is known."""
        return [self.say.quote(n) for n in self.concept_names(res.candidates, res.suggestions)]

    def concept_name(self, uri: str | None) -> str | None:
        """An occupation, skill or ISCO/STYRK group by URI, named in the reason's language
        (:meth:`Names.concept_name`)."""
        return self.names.concept_name(uri)

    def concept_names(self, uris: Sequence[str], fallback: Sequence[str] = (),
                      limit: int = 3) -> list[str]:
        """:meth:`Names.concept_names` in the reason's language."""
        return self.names.concept_names(uris, fallback, limit)

    def _clause_unrecognised(self, i: int) -> str:
        terms = self._unrecognised_terms(i)
        return " " + self.say("unrecognised", terms=self.say.join(terms)) if terms else ""
