"""Warnings in the caseworker's language.

The stages below write each warning in English where it arises (the rule a library user and
``--strict`` see), with a ``code`` and the ``params`` it was written from (the URIs of the
concepts it names, a confidence). For reasons in Norwegian or Danish the warnings a caseworker
reads beside them (on screen, in the warnings file and sheet, in the report) are written again
here, from :data:`~matcher.explain.phrases.WARNINGS`, with occupation and skill names in that
language, so that the suggestions are words the caseworker can write back into the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from matcher.errors import Problem
from matcher.explain.phrases import WARNINGS
from matcher.explain.reasons import Explainer
from matcher.io.messages import localise_problems
from matcher.taxonomy.adaptations import adaptation_label

__all__ = ["localise_warnings"]


def localise_warnings(problems: Sequence[Problem], explainer: Explainer) -> list[Problem]:
    """``problems`` with each warning the tables know written in ``explainer.lang``.

    English returns them as they are. Problems about terms and adaptations are written here;
    every other one by :func:`matcher.io.messages.localise_problems`. A problem without a known
    code keeps its rule (and is marked with the language, so its place is written in it too).
    """
    lang = explainer.lang
    table = WARNINGS.get(lang, {})
    return [dataclasses.replace(p, rule=_rule(p, table, explainer)) if p.code in table else p
            for p in localise_problems(problems, lang)]


def _rule(p: Problem, table: dict[str, str], explainer: Explainer) -> str:
    say = explainer.say
    code = str(p.code)
    if code == "adaptation_unknown":
        names = [say.quote(adaptation_label(k, explainer.lang)) for k in p.param("keys", ())]
        return table[code].format(closest=", ".join(names))
    kind = p.param("kind", "occupation")
    what = table.get(f"what_{kind}", table["what_occupation"])
    if code in ("term_missed", "term_guess"):
        names = explainer.concept_names(p.param("uris", ()), p.param("names", ()))
        closest = ", ".join(say.quote(n) for n in names)
        if code == "term_missed":
            return table[code].format(what=what) + (
                table["closest"].format(closest=closest) if closest else "")
        return table[code].format(what=what, closest=closest,
                                  code=table["code_hint"] if kind == "occupation" else "")
    taken = say.quote(explainer.concept_name(p.param("uri")) or str(p.param("label") or ""))
    if code == "term_ambiguous":
        others = explainer.concept_names(p.param("uris", ()), p.param("names", ()))
        return table[code].format(taken=taken, others=", ".join(say.quote(n) for n in others))
    return table[code].format(taken=taken, confidence=say.number(float(p.param("confidence"))))
