"""Warnings in the caseworker's language.

The stages below write each warning in English where it arises (the rule a library user
sees), with a ``code`` and the ``params`` it was written from (the URIs of the concepts it
names, a confidence). For reasons in Norwegian or Danish the warnings a caseworker reads beside
them (on screen, in the warnings file and sheet, in the report), and the same problems raised
as errors with ``strict``, are written again here, from
:data:`~matcher.explain.phrases.WARNINGS`, with occupation and skill names in that language,
so that the suggestions are words the caseworker can write back into the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from matcher.errors import Problem
from matcher.explain.phrases import WARNINGS
from matcher.explain.reasons import Names
from matcher.io.messages import localise_problems
from matcher.taxonomy.adaptations import adaptation_label

__all__ = ["localise_warnings"]


def localise_warnings(problems: Sequence[Problem], names: Names) -> list[Problem]:
    """``problems`` with each warning the tables know written in ``names.lang``, concepts
    named by ``names`` (a batch's :attr:`Explainer.names <matcher.explain.Explainer.names>`,
    or ``Names(taxonomy, lang)`` before there is a batch: the errors of ``strict``).

    English returns them as they are. Problems about terms and adaptations are written here;
    every other one by :func:`matcher.io.messages.localise_problems`. A problem without a known
    code keeps its rule (and is marked with the language, so its place is written in it too).
    """
    lang = names.lang
    table = WARNINGS.get(lang, {})
    return [dataclasses.replace(p, rule=_rule(p, table, names)) if p.code in table else p
            for p in localise_problems(problems, lang)]


def _rule(p: Problem, table: dict[str, str], names: Names) -> str:
    say = names.say
    code = str(p.code)
    if code == "adaptation_unknown":
        keys = [say.quote(adaptation_label(k, names.lang)) for k in p.param("keys", ())]
        return table[code].format(closest=", ".join(keys))
    kind = p.param("kind", "occupation")
    what = table.get(f"what_{kind}", table["what_occupation"])
    if code in ("term_missed", "term_guess"):
        nearest = names.concept_names(p.param("uris", ()), p.param("names", ()))
        closest = ", ".join(say.quote(n) for n in nearest)
        if code == "term_missed":
            return table[code].format(what=what) + (
                table["closest"].format(closest=closest) if closest else "")
        return table[code].format(what=what, closest=closest,
                                  code=table["code_hint"] if kind == "occupation" else "")
    taken = say.quote(names.concept_name(p.param("uri")) or str(p.param("label") or ""))
    if code == "term_ambiguous":
        others = names.concept_names(p.param("uris", ()), p.param("names", ()))
        return table[code].format(taken=taken, others=", ".join(say.quote(n) for n in others))
    return table[code].format(taken=taken, confidence=say.number(float(p.param("confidence"))))
