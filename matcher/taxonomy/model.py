"""The taxonomy: ESCO occupations and skills as index spaces and sparse matrices.

Every later stage works on integer indices, not URIs: occupation ``i`` is
``occupation_uris[i]``, skill ``j`` is ``skill_uris[j]``. Skills and skill groups share one index
space (``skill_is_group`` tells them apart) so that rolling a skill up to its groups is a sparse
product with ``skill_parents``. The occupation -> skill relations are ``occupation_skills``
(1.0 essential, 0.5 optional).

A taxonomy comes from :func:`load_taxonomy`: the built-in snapshot (ESCO v1.1.1, compiled by
:mod:`matcher.taxonomy.compile`), another snapshot, or an official ESCO download compiled on the
fly. A snapshot is a zip of JSON (strings) and ``.npy`` (arrays) entries; its format is
:mod:`matcher.taxonomy.snapshot`.

Treat a loaded taxonomy as read-only: the built-in one is shared by every caller in the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import scipy.sparse as sp

from matcher.errors import TaxonomyError
from matcher.taxonomy.resolve import Resolution, Resolver, build_stem_table
from matcher.validate import Described, Interval, Options, parameter_error, validate_params

__all__ = ["BUILTIN_SNAPSHOT", "MAX_SNAPSHOT_BYTES", "Taxonomy"]

BUILTIN_SNAPSHOT = "esco-v1.1.1.zip"
"""File name of the built-in snapshot inside ``matcher/taxonomy/data``."""

MAX_SNAPSHOT_BYTES = 8_000_000
"""A snapshot must stay small enough to commit and ship in the wheel."""

_ISCO_URI = "http://data.europa.eu/esco/isco/C"


class Taxonomy:
    """Occupations, skills and their relations, indexed for matching.

    Build one with :func:`load_taxonomy`; the constructor takes the compiled parts.

    Attributes
    ----------
    version : str
        E.g. ``"ESCO v1.1.1"``.
    occupation_uris, occupation_labels : list of str, n_occ
        ESCO occupation URI (sorted) and preferred English label.
    occupation_isco : list of str, n_occ
        4-digit ISCO-08 group code.
    occupation_styrk : list of str, n_occ
        4-digit STYRK-08 code from the crosswalk, ``""`` where none.
    occupation_names : dict of str to list of tuple of str
        Per language code, per occupation: its labels, preferred first (English: preferred, alt
        and hidden labels). An empty tuple where the language has no label for it.
    occupation_descriptions : list of str, n_occ
        ESCO's English description of each occupation (``""`` where none); the text signal of
        :meth:`occupation_similarity`.
    occupation_skills : scipy.sparse.csr_matrix, float32, n_occ x n_skill
        1.0 essential, 0.5 optional.
    skill_uris, skill_labels : list of str, n_skill
        Skills, then skill groups, each block sorted by URI.
    skill_names : dict of str to list of tuple of str
        Per language, per skill: its labels, preferred first.
    skill_is_group : numpy.ndarray of bool, n_skill
        True for skill groups (nodes of the hierarchy).
    skill_parents : scipy.sparse.csr_matrix, bool, n_skill x n_skill
        ``[child, parent]`` from the skill pillar's broader relations.
    isco_labels : dict of str to str
        ISCO group code (1 to 4 digits) -> preferred English label.
    isco_names : dict of str to dict of str to tuple of str
        ISCO group code -> language -> labels, preferred first. Norwegian includes the STYRK-08
        title of the same code.
    styrk_labels : dict of str to str
        STYRK-08 code -> its Norwegian title, e.g. ``'6123' -> 'Birøktere mv.'``.
    titles : list of tuple of str
        National job titles ``(title, language, source, target)``: vocabulary for resolution,
        never an occupation's label. ``target`` is a STYRK-08/ISCO-08 code (NAV's titles name a
        group) or an occupation or ISCO group URI (ESCO-STAR titles); see
        :func:`matcher.taxonomy.compile.read_titles`.
    provenance : dict
        Source file names, their credit lines, and counts of input rows that were dropped, with
        the reason.

    Examples
    --------
    >>> from matcher.taxonomy import load_taxonomy
    >>> tax = load_taxonomy()
    >>> r = tax.resolve("birøktere", "occupation")
    >>> tax.occupation_labels[r.indices[0]], r.method
    ('bee breeder', 'inflection')
    """

    #: computes the transfer matrix of a taxonomy; :mod:`matcher.taxonomy.transfer` sets it when
    #: imported (``matcher.taxonomy`` imports it), so the model imports nothing above it
    transfer_source: ClassVar[Callable[[Taxonomy], np.ndarray] | None] = None
    #: writes a snapshot (:meth:`save`); :mod:`matcher.taxonomy.snapshot`, the format, sets it
    #: when imported (``matcher.taxonomy`` imports it), so the model imports nothing above it
    snapshot_writer: ClassVar[Callable[[Taxonomy, Path], int] | None] = None

    def __init__(
        self,
        *,
        version: str,
        occupation_uris: Sequence[str],
        occupation_isco: Sequence[str],
        occupation_styrk: Sequence[str],
        occupation_names: Mapping[str, Sequence[Sequence[str]]],
        occupation_skills: sp.spmatrix | sp.sparray,
        skill_uris: Sequence[str],
        skill_names: Mapping[str, Sequence[Sequence[str]]],
        skill_is_group: np.ndarray,
        skill_parents: sp.spmatrix | sp.sparray,
        isco_names: Mapping[str, Mapping[str, Sequence[str]]],
        styrk_labels: Mapping[str, str],
        provenance: Mapping[str, Any] | None = None,
        occupation_descriptions: Sequence[str] | None = None,
        stem_table: Mapping[str, Mapping[str, str]] | None = None,
        titles: Sequence[Sequence[str]] = (),
    ) -> None:
        n_occ, n_skill = len(occupation_uris), len(skill_uris)
        self.version = version
        self.occupation_uris = list(occupation_uris)
        self.occupation_isco = list(occupation_isco)
        self.occupation_styrk = list(occupation_styrk)
        self.occupation_names = {lang: [tuple(n) for n in names]
                                 for lang, names in occupation_names.items()}
        self.occupation_skills = sp.csr_matrix(occupation_skills, dtype=np.float32)
        self.occupation_descriptions = (list(occupation_descriptions)
                                        if occupation_descriptions is not None else [""] * n_occ)
        self.skill_uris = list(skill_uris)
        self.skill_names = {lang: [tuple(n) for n in names] for lang, names in skill_names.items()}
        self.skill_is_group = np.asarray(skill_is_group, dtype=bool)
        self.skill_parents = sp.csr_matrix(skill_parents, dtype=bool)
        self.isco_names = {code: {lang: tuple(n) for lang, n in by_lang.items()}
                           for code, by_lang in isco_names.items()}
        self.styrk_labels = dict(styrk_labels)
        self.provenance = dict(provenance or {})
        self.titles: list[tuple[str, str, str, str]] = [
            (str(t[0]), str(t[1]), str(t[2]), str(t[3])) for t in titles]
        self._stem_table = (None if stem_table is None
                            else {lang: dict(words) for lang, words in stem_table.items()})

        problems = []
        if "en" not in self.occupation_names or "en" not in self.skill_names:
            problems.append("English labels are missing")
        for name, got, want in [
            ("occupation_isco", len(self.occupation_isco), n_occ),
            ("occupation_styrk", len(self.occupation_styrk), n_occ),
            ("occupation_descriptions", len(self.occupation_descriptions), n_occ),
            ("skill_is_group", self.skill_is_group.shape[0], n_skill),
            *((f"occupation_names[{lang!r}]", len(v), n_occ)
              for lang, v in self.occupation_names.items()),
            *((f"skill_names[{lang!r}]", len(v), n_skill) for lang, v in self.skill_names.items()),
        ]:
            if got != want:
                problems.append(f"{name} has {got} entries for {want} concepts")
        if self.occupation_skills.shape != (n_occ, n_skill):
            problems.append(f"occupation_skills is {self.occupation_skills.shape}, "
                            f"not {(n_occ, n_skill)}")
        if self.skill_parents.shape != (n_skill, n_skill):
            problems.append(f"skill_parents is {self.skill_parents.shape}, "
                            f"not {(n_skill, n_skill)}")
        if not problems and not (all(self.occupation_names["en"]) and all(self.skill_names["en"])):
            problems.append("a concept has no English label")
        if problems:
            raise TaxonomyError("inconsistent taxonomy: " + "; ".join(problems))

        self.occupation_labels = [names[0] for names in self.occupation_names["en"]]
        self.skill_labels = [names[0] for names in self.skill_names["en"]]
        self.isco_labels = {code: by_lang["en"][0] for code, by_lang in self.isco_names.items()
                            if by_lang.get("en")}
        self._resolvers: dict[str, Resolver] = {}
        self._lock = threading.RLock()
        self._transfer_cache: np.ndarray | None = None
        self._carry_cache: object | None = None  # matcher.taxonomy.similarity._CarryOver

    # --- lookups ----------------------------------------------------------------------------

    @property
    def n_occupations(self) -> int:
        return len(self.occupation_uris)

    @property
    def n_skills(self) -> int:
        """Skills and skill groups."""
        return len(self.skill_uris)

    @cached_property
    def _occupation_by_uri(self) -> dict[str, int]:
        return {uri: i for i, uri in enumerate(self.occupation_uris)}

    @cached_property
    def _skill_by_uri(self) -> dict[str, int]:
        return {uri: i for i, uri in enumerate(self.skill_uris)}

    def occupation_index(self, uri: str) -> int:
        """Index of an occupation URI; ``KeyError`` when unknown."""
        try:
            return self._occupation_by_uri[uri]
        except KeyError:
            raise KeyError(f"{uri!r} is not an occupation of {self.version}") from None

    def skill_index(self, uri: str) -> int:
        """Index of a skill or skill-group URI; ``KeyError`` when unknown."""
        try:
            return self._skill_by_uri[uri]
        except KeyError:
            raise KeyError(f"{uri!r} is not a skill or skill group of {self.version}") from None

    def concept_name(self, uri: str | None, lang: str = "en") -> str | None:
        """An occupation, skill or ISCO/STYRK group by URI, by its first name in ``lang`` (a
        language of :attr:`languages`: ``'no'``, ``'da'``, ``'en'``), English where the taxonomy
        has no name in it; None for a URI it does not hold.

        >>> from matcher.taxonomy import load_taxonomy
        >>> tax = load_taxonomy()
        >>> uri = tax.occupation_uris[list(tax.occupation_labels).index("bee breeder")]
        >>> tax.concept_name(uri, "no"), tax.concept_name(uri), tax.concept_name("x")
        ('birøkter', 'bee breeder', None)
        """
        uri = uri or ""
        if (k := self._occupation_by_uri.get(uri)) is not None:
            names = self.occupation_names.get(lang)
            name = names[k][0] if names is not None and names[k] else self.occupation_labels[k]
        elif (k := self._skill_by_uri.get(uri)) is not None:
            names = self.skill_names.get(lang)
            name = names[k][0] if names is not None and names[k] else self.skill_labels[k]
        elif uri.startswith(_ISCO_URI):
            by_lang = self.isco_names.get(uri[len(_ISCO_URI):], {})
            found = by_lang.get(lang) or by_lang.get("en")
            if not found:
                return None
            name = found[0]
        else:
            return None
        return str(name).strip()

    @cached_property
    def isco_groups(self) -> dict[str, np.ndarray]:
        """ISCO group code (1 to 4 digits) -> sorted indices of the occupations in the group."""
        members: dict[str, list[int]] = {code: [] for code in self.isco_names}
        for i, code in enumerate(self.occupation_isco):
            for length in range(1, len(code) + 1):
                members.setdefault(code[:length], []).append(i)
        return {code: np.asarray(ix, dtype=np.int64) for code, ix in sorted(members.items())}

    @cached_property
    def styrk_groups(self) -> dict[str, np.ndarray]:
        """STYRK-08 code -> sorted indices of the occupations the crosswalk maps to it."""
        members: dict[str, list[int]] = {}
        for i, code in enumerate(self.occupation_styrk):
            if code:
                members.setdefault(code, []).append(i)
        return {code: np.asarray(ix, dtype=np.int64) for code, ix in sorted(members.items())}

    @cached_property
    def skill_idf(self) -> np.ndarray:
        """Smoothed inverse occupation frequency of each skill, ``ln((1+n)/(1+df)) + 1``.

        ``df`` counts the occupations that list the skill (essential or optional); skill groups,
        never listed directly, get the largest value.
        """
        df = np.bincount(self.occupation_skills.indices, minlength=self.n_skills)
        return np.log((1.0 + self.n_occupations) / (1.0 + df)) + 1.0

    @property
    def stem_table(self) -> dict[str, dict[str, str]]:
        """Language -> word -> stem for every word of every label (derived; kept in snapshots)."""
        if self._stem_table is None:
            labels: dict[str, list[str]] = {}
            for names in (self.occupation_names, self.skill_names):
                for lang, per_concept in names.items():
                    labels.setdefault(lang, []).extend(n for ns in per_concept for n in ns)
            for by_lang in self.isco_names.values():
                for lang, group_names in by_lang.items():
                    labels.setdefault(lang, []).extend(group_names)
            labels.setdefault("no", []).extend(self.styrk_labels.values())
            for title, lang, _, _ in self.titles:
                labels.setdefault(lang, []).append(title)
            self._stem_table = build_stem_table(labels)
        return self._stem_table

    # --- occupation similarity --------------------------------------------------------------

    def _transfer(self) -> np.ndarray:
        matrix = self._transfer_cache
        if matrix is None:
            with self._lock:
                matrix = self._transfer_cache
                if matrix is None:
                    source = type(self).transfer_source
                    if source is None:  # only if matcher.taxonomy.transfer was never imported
                        raise RuntimeError("no transfer similarity: import matcher.taxonomy")
                    matrix = source(self)
                    matrix.setflags(write=False)
                    self._transfer_cache = matrix
        return matrix

    def occupation_similarity(self, left: Sequence[int], right: Sequence[int]) -> np.ndarray:
        """How far experience in each ``left`` occupation counts toward each ``right`` one.

        The transfer similarity of :mod:`matcher.taxonomy.similarity`: a blend of skill
        profiles spread up the skill hierarchy, label/description text, skill-label text and
        ISCO-08 structure picks each occupation's candidates, and the tree ensemble of
        :mod:`matcher.taxonomy.rerank` re-ranks them. It is symmetric, lies in [0, 1], is
        exactly 1 for the same occupation and below 1 for any other. The whole
        ``n_occ x n_occ`` matrix is read on the first call: for the built-in taxonomy from the
        file shipped with the package (about half a second), for any other computed once
        (10-20 s for ESCO) and kept in the cache folder (:mod:`matcher.taxonomy.transfer`);
        later calls only index it.

        Parameters
        ----------
        left, right : sequence of int
            Occupation indices.

        Returns
        -------
        numpy.ndarray of float64, ``len(left) x len(right)``

        Examples
        --------
        >>> from matcher.taxonomy import load_taxonomy
        >>> tax = load_taxonomy()
        >>> i = tax.resolve("bee breeder", "occupation").indices[0]
        >>> float(tax.occupation_similarity([i], [i])[0, 0])
        1.0
        """
        rows = np.asarray(left, dtype=np.int64).reshape(-1)
        cols = np.asarray(right, dtype=np.int64).reshape(-1)
        for name, ix in (("left", rows), ("right", cols)):
            if ix.size and (ix.min() < 0 or ix.max() >= self.n_occupations):
                bad = int(ix.min() if ix.min() < 0 else ix.max())
                raise parameter_error("occupation_similarity", name, f"occupation indices in "
                                      f"[0, {self.n_occupations})", Described(f"index {bad}"),
                                      error=IndexError)
        if not rows.size or not cols.size:
            return np.zeros((rows.size, cols.size))
        return self._transfer()[np.ix_(rows, cols)].astype(np.float64)

    def similar_occupations(self, index: int, top: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``top`` occupations most similar to occupation ``index`` (itself excluded).

        Returns ``(indices, scores)``, best first; ties go to the lower index.
        """
        validate_params("similar_occupations", {"top": top}, {"top": [Interval(int, 1, None)]})
        row = self.occupation_similarity([index], range(self.n_occupations))[0]
        row[index] = -np.inf
        top = min(top, self.n_occupations - 1)
        order = np.lexsort((np.arange(row.size), -row))[:top]
        return order.astype(np.int64), row[order]

    # --- resolution -------------------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with occupation or skill labels, English first."""
        found = set(self.occupation_names) | set(self.skill_names)
        return tuple(sorted(found, key=lambda lang: (lang != "en", lang)))

    def _resolver(self, kind: str, language: str | None = None) -> Resolver:
        key = kind if language is None else f"{kind}:{language}"
        resolver = self._resolvers.get(key)
        if resolver is None:
            with self._lock:
                resolver = self._resolvers.get(key)
                if resolver is None:
                    resolver = Resolver(self, _check_kind(kind),
                                        None if language is None else (language,))
                    self._resolvers[key] = resolver
        return resolver

    def _check_language(self, language: str | None) -> str | None:
        if language in (None, "auto"):
            return None
        validate_params("Taxonomy.resolve", {"language": language},
                        {"language": [Options(("auto", *self.languages)), None]})
        return language

    def resolve(self, term: str, kind: Literal["occupation", "skill"],
                language: str | None = None) -> Resolution:
        """Find the concept a free-text term, code or URI names.

        Parameters
        ----------
        term : str
            An ESCO URI, a 4-digit ISCO-08/STYRK-08 code (occupations only), or a label in any
            language of the taxonomy; case, spacing, hyphens, inflection (plural, definite form)
            and small typos are tolerated.
        kind : {'occupation', 'skill'}
        language : str, optional
            Match only labels in this language (``'no'``, ``'da'``, ``'en'``, ...); ``None`` or
            ``'auto'``: every language of the taxonomy.

        Returns
        -------
        Resolution
            ``indices`` empty when nothing matched; ``suggestions`` then lists near labels.

        Examples
        --------
        >>> from matcher.taxonomy import load_taxonomy
        >>> tax = load_taxonomy()
        >>> tax.resolve("Birøktere mv.", "occupation").label
        'bee breeder'
        >>> r = tax.resolve("6123", "occupation")
        >>> r.method, r.uri
        ('code', 'http://data.europa.eu/esco/isco/C6123')
        """
        return self._resolver(_check_kind(kind), self._check_language(language)).resolve(term)

    def resolve_many(
        self, terms: Iterable[str], kind: Literal["occupation", "skill"],
        language: str | None = None,
    ) -> list[Resolution]:
        """:meth:`resolve` each term, resolving each distinct term once."""
        return self._resolver(_check_kind(kind),
                              self._check_language(language)).resolve_many(terms)

    # --- snapshot ---------------------------------------------------------------------------

    def save(self, path: str | Path) -> int:
        """Write the taxonomy as a snapshot zip; return its size in bytes.

        The same taxonomy always gives the same bytes; the file is complete or absent. The
        format is :mod:`matcher.taxonomy.snapshot`'s (its ``write_snapshot``).
        """
        writer = type(self).snapshot_writer
        if writer is None:  # only if matcher.taxonomy.snapshot was never imported
            raise RuntimeError("no snapshot format: import matcher.taxonomy")
        return writer(self, Path(path))

    def __repr__(self) -> str:
        return (f"Taxonomy({self.version!r}: {self.n_occupations} occupations, "
                f"{int((~self.skill_is_group).sum())} skills + {int(self.skill_is_group.sum())} "
                f"skill groups, {self.occupation_skills.nnz} occupation-skill relations)")


def _check_kind(kind: object) -> Literal["occupation", "skill"]:
    validate_params("Taxonomy.resolve", {"kind": kind},
                    {"kind": [Options(("occupation", "skill"))]})
    return kind  # type: ignore[return-value]
