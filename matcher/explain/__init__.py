"""Explain stage: a plain-language reason for every match and every non-match.

:class:`Explainer` writes the reasons of one batch (one small method per clause, see
:mod:`matcher.explain.reasons`); :mod:`matcher.explain.phrases` holds every word of them, one
table per language (English, Norwegian bokmål, Danish), so a translator reads one language end
to end. Occupation names follow the language (ESCO's Norwegian and Danish labels), skill names
too when the taxonomy has them; role titles and enterprise names stay as the enterprise wrote
them. :func:`localise_warnings` writes the run's warnings in the same language.
"""

from matcher.explain.choices import Choices, LockCost
from matcher.explain.phrases import LANGUAGES, Phrases
from matcher.explain.reasons import Explainer, Names, pair_scores
from matcher.explain.warnings import localise_warnings

__all__ = ["LANGUAGES", "Choices", "Explainer", "LockCost", "Names", "Phrases",
           "localise_warnings", "pair_scores"]
