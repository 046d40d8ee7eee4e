"""Explain stage: a plain-language reason for every match and every non-match.

For a match: the skills the seeker brings (and from which past occupation they come), the
related experience that counted through ESCO's skill groups (transferable skills), the wish the
role meets, what the role will train, what is still to learn, and a permanent position.

For a seeker left unmatched, one of three reasons, the first that applies:

1. no role passes the hard constraints: the constraints are named with how many roles each
   excluded, the one that excluded most first;
2. roles pass them, but none reaches the minimum score: the best of them is named;
3. every fitting role went to someone else: the best one is named with who holds its places and
   exactly how much total score giving this seeker a place there would cost (from the
   solver's freeing costs, see :func:`matcher.assign.freeing_cost`).

Reasons name roles by id and title, other seekers by id only, never by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.encode import OccupationConcepts, RoleVectors, SeekerVectors, SkillSpace
from matcher.score import CONSTRAINTS, CandidateGraph
from matcher.taxonomy import Resolution, Taxonomy
from matcher.taxonomy.similarity import carried_skills
from matcher.terms import ResolvedTerms

__all__ = ["Explainer"]

#: how many skills a reason names in one list
_LIST = 3
#: transfer similarity from which a past occupation is named as carrying over (about an
#: origin's 50th most similar occupation of 3,006)
_CARRIES_OVER = 0.5
#: a skill group named as "related skills" must be at least this specific (IDF); broad groups
#: such as "handling and moving" reach most occupations and explain nothing
_GROUP_IDF = 1.5


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _row_set(matrix: sp.csr_array, i: int) -> dict[int, float]:
    start, stop = matrix.indptr[i], matrix.indptr[i + 1]
    return dict(
        zip(matrix.indices[start:stop].tolist(), matrix.data[start:stop].tolist(), strict=True)
    )


@dataclass(frozen=True, eq=False)
class Explainer:
    """Writes the reasons for one batch; holds the batch's encoded state."""

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
    adaptation_labels: Sequence[str]
    min_score: float

    def _skill(self, k: int) -> str:
        return str(self.taxonomy.skill_labels[k]).strip()

    def _role_name(self, j: int) -> str:
        title = self.role_titles[j] or ""
        name = f"{self.role_ids[j]}"
        if title:
            name += f" '{title}'"
        if self.enterprises[j]:
            name += f" at {self.enterprises[j]}"
        return name

    def _by_specificity(self, skills: set[int]) -> list[int]:
        return sorted(skills, key=lambda k: (-self.space.idf[k], self._skill(k)))

    # -- matches ------------------------------------------------------------------------------

    def _skill_sources(self, i: int) -> tuple[set[int], dict[int, Resolution]]:
        listed = {k for res in self.seeker_terms.concepts["skills"][i] for k in res.indices}
        source: dict[int, Resolution] = {}
        occ_skills = self.taxonomy.occupation_skills
        for occ in self.seeker_terms.concepts["experience"][i]:
            for o in occ.indices:
                lo, hi = occ_skills.indptr[o], occ_skills.indptr[o + 1]
                for k in occ_skills.indices[lo:hi].tolist():
                    source.setdefault(k, occ)
        return listed, source

    def explain_match(self, i: int, j: int, score: float) -> str:
        """The reason for matching seeker ``i`` to role ``j``."""
        parts: list[str] = []
        need = _row_set(self.roles.need, j)
        have = _row_set(self.seekers.have, i)
        listed, source = self._skill_sources(i)

        shared = self._by_specificity({k for k in need if k in have})
        if shared:
            from_listed = [k for k in shared if k in listed][:_LIST]
            from_exp: dict[str, list[int]] = {}
            for k in shared:
                if k not in listed and k in source:
                    from_exp.setdefault(str(source[k].label), []).append(k)
            text = f"brings {len(shared)} of the role's {len(need)} required skills"
            bits = []
            if from_listed:
                bits.append(_join([self._skill(k) for k in from_listed]))
            for occ_label, ks in list(from_exp.items())[:2]:
                names = _join([self._skill(k) for k in ks[:_LIST]])
                bits.append(f"{names} from experience as {occ_label}")
            if bits:
                text += " (" + "; ".join(bits) + ")"
            parts.append(text)

        missing = [k for k in need if k not in have]
        covered = _row_set(self.seekers.covered, i)
        groups: dict[int, int] = {}
        for k in missing:
            spread = self.space.spread
            for a in spread.indices[spread.indptr[k]:spread.indptr[k + 1]].tolist():
                if a != k and a in covered and self.space.idf[a] > _GROUP_IDF:
                    groups[a] = groups.get(a, 0) + 1
        if groups:
            best = sorted(groups, key=lambda a: (-groups[a], -self.space.idf[a]))[:2]
            exp = [str(o.label) for o in self.seeker_terms.concepts["experience"][i]]
            origin = f" from experience as {_join(exp)}" if exp else ""
            parts.append(
                "related skills count toward "
                + _join([f"'{self._skill(a)}'" for a in best])
                + origin
            )

        occ = int(self.roles.occupation[j])
        carried = self._carried(i, occ)
        if carried:
            parts.append(carried)

        wishes = self.seekers.wishes[i]
        if wishes and occ >= 0:
            sims = self.concepts.similarity(wishes, [occ])[:, 0]
            w = int(np.argmax(sims))
            label = self.concepts.resolutions[wishes[w]].label
            if sims[w] >= 0.999:
                parts.append(f"wishes to work as {label}")
            elif sims[w] >= 0.5:
                parts.append(f"wishes to work as {label}, a related occupation")

        trained = set(_row_set(self.roles.trained, j))
        taught = self._by_specificity({k for k in trained if k not in have})
        if taught:
            parts.append("the role trains " + _join([self._skill(k) for k in taught[:_LIST]]))
        gaps = [k for k in self._by_specificity(set(missing)) if k not in covered]
        if gaps:
            parts.append("still to learn: " + _join([self._skill(k) for k in gaps[:_LIST]]))
        if self.roles.permanent[j] >= 1.0:
            parts.append("a permanent position")
        needs = np.flatnonzero(self.seekers.needs[i])
        if needs.size and not self.roles.offers_stated[j]:
            parts.append("the role does not state its adaptations: check " + _join(
                [self.adaptation_labels[int(n)] for n in needs]
            ))
        head = f"Matched to {self._role_name(j)} (score {score:.2f})"
        return head + (": " + "; ".join(parts) if parts else "") + "."

    def _carried(self, i: int, occ: int) -> str:
        """What the seeker's closest past occupation carries over to the role's occupation."""
        past = self.seekers.experience[i]
        if not past or occ < 0:
            return ""
        sims = self.concepts.similarity(past, [occ])[:, 0]
        best = int(np.argmax(sims))
        if sims[best] < _CARRIES_OVER:
            return ""
        origin, target = self.concepts.resolutions[past[best]], self.concepts.resolutions[occ]
        if sims[best] >= 1.0:
            return f"has worked as {target.label}"
        text = (f"experience as {origin.label} carries over to {target.label} "
                f"(transfer {sims[best]:.2f}")
        if len(origin.indices) == 1 and len(target.indices) == 1 and origin.uri != target.uri:
            skills = carried_skills(self.taxonomy, origin.indices[0], target.indices[0], top=3)
            if skills:
                text += ": " + _join([s.strip() for s in skills])
        return text + ")"

    # -- non-matches --------------------------------------------------------------------------

    def explain_unmatched(
        self,
        i: int,
        role_of_seeker: np.ndarray,
        freeing_cost: np.ndarray,
    ) -> str:
        """The reason seeker ``i`` got no role."""
        g = self.graph
        n_roles = len(self.role_ids)
        start, stop = g.scores.indptr[i], g.scores.indptr[i + 1]
        if stop > start:
            return self._lost(i, role_of_seeker, freeing_cost) + self._excluded_best(i)
        if g.feasible[i] > 0:
            j = int(g.best_below[i])
            n = int(g.feasible[i])
            return (
                f"Not matched: {_count(n, 'role passes', 'roles pass')} the hard constraints, "
                f"but none reaches the minimum score {self.min_score:.2f} (the best, "
                f"{self._role_name(j)}, scores {g.best_below_score[i]:.2f})."
                + self._excluded_best(i)
            )
        if n_roles == 0:
            return "Not matched: there are no open roles in this batch."
        counts = g.excluded[i]
        ranked = sorted(
            (-int(counts[c]), c, name) for c, name in enumerate(CONSTRAINTS) if counts[c] > 0
        )
        clauses = [f"{-neg} {self._constraint_phrase(i, name)}" for neg, _, name in ranked]
        return (
            f"Not matched: none of the {_count(n_roles, 'role', 'roles')} passes the hard "
            "constraints; " + "; ".join(clauses) + "." + self._excluded_best(i)
        )

    def _lost(self, i: int, role_of_seeker: np.ndarray, freeing_cost: np.ndarray) -> str:
        g = self.graph
        start, stop = g.scores.indptr[i], g.scores.indptr[i + 1]
        cols = g.scores.indices[start:stop]
        vals = g.scores.data[start:stop]
        order = np.lexsort((cols, -vals))
        j, s = int(cols[order[0]]), float(vals[order[0]])
        held = sorted(
            ((float(g.scores[h, j]), self.seeker_ids[h])
             for h in np.flatnonzero(role_of_seeker == j).tolist()),
            key=lambda t: (-t[0], t[1]),
        )
        who = _join([f"{sid} ({hs:.2f})" for hs, sid in held[:3]])
        if len(held) > 3:
            who += f" and {len(held) - 3} more"
        n = int(stop - start)
        fit = _count(n, "role fits", "roles fit")
        went = "it went" if n == 1 else "each went"
        text = (
            f"Not matched: {fit}, but {went} to someone who fits it better or has fewer "
            f"alternatives. "
            + ("It is " if n == 1 else "The best is ")
            + f"{self._role_name(j)} (score {s:.2f}), held by {who or 'others'}"
        )
        loss = float(freeing_cost[j]) - s
        if np.isnan(loss):
            pass
        elif loss > 1e-9:
            text += f"; giving this seeker a place there would lower the total score by {loss:.2f}"
        else:
            text += "; an equally good assignment exists and the tie was broken by id"
        return text + "."

    def _excluded_best(self, i: int) -> str:
        """Name the best-scoring role a hard constraint took away, when it beats what is left."""
        g = self.graph
        j = int(g.best_excluded[i])
        if j < 0:
            return ""
        start, stop = g.scores.indptr[i], g.scores.indptr[i + 1]
        left = max(
            float(g.scores.data[start:stop].max()) if stop > start else -np.inf,
            float(g.best_below_score[i]) if g.best_below[i] >= 0 else -np.inf,
        )
        if g.best_excluded_score[i] <= left:
            return ""
        why = _join([
            self._constraint_phrase(i, name, single=True)
            for c, name in enumerate(CONSTRAINTS) if g.best_excluded_by[i, c]
        ])
        return (
            f" The best-fitting role overall, {self._role_name(j)} "
            f"(score {g.best_excluded_score[i]:.2f}), is excluded: it {why}."
        )

    def _constraint_phrase(self, i: int, name: str, *, single: bool = False) -> str:
        verb = {"are": "is", "ask": "asks", "share": "shares", "do": "does"}
        phrase = {
            "distance": f"are more than {self.seekers.radius_km[i]:g} km away",
            "hours": f"ask more than the {self.seekers.hours_max[i]:g} hours a week "
                     "this seeker can work",
            "language": "share no language with this seeker",
            "needs": "do not offer an adaptation this seeker needs",
        }[name]
        if single:
            first, rest = phrase.split(" ", 1)
            phrase = f"{verb[first]} {rest}"
        return phrase


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many}"
