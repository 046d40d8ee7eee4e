"""Languages as people write them, turned into one code per language.

A ``languages`` cell lists languages separated by ``;``. Each item may be

- an ISO 639-1 or ISO 639-3 code, or a language tag (``no``, ``nob``, ``ar``, ``prs``,
  ``pt-BR``), in any case;
- a language's name in Norwegian, Danish or English (``norsk``, ``arabisk``, ``somali``,
  ``tigrinja``, ``dari``, ``engelsk``, ``dansk``, ``svensk``, ``polsk``, ``urdu``, ``Arabic``),
  or in any other language the CLDR names it in (looked up in all languages at once).

:func:`canonical_language` gives the code the typed frame holds: the ISO 639-1 code where the
language has one, else the ISO 639-3 code. A language that belongs to an ISO 639-3
*macrolanguage* is stored as the macrolanguage, so everything that one macrolanguage covers
counts as one language when a seeker's languages meet a role's:

- ``nb`` (bokmål), ``nn`` (nynorsk), ``nob``, ``nno``, ``nor`` and ``norsk`` are all ``no``;
- ``prs`` (Dari) and ``pes`` (Iranian Persian) are ``fa``; Arabic varieties (``arb``, ``apc``,
  ...) are ``ar``; ``swh`` is ``sw``; ``kmr`` (Kurmanji) and ``ckb`` (Sorani) are ``ku``;
  ``cmn`` and ``yue`` are ``zh``; ``zsm`` and ``id`` (Indonesian) are ``ms``.

That is the standard's grouping, not a judgement on mutual intelligibility: a role that needs
Sorani specifically should say so in its text. Region and script parts of a tag are dropped
(``pt-BR`` is ``pt``). Codes and names come from the ``langcodes`` library (with
``language_data`` for names); this module is the one place in the package that knows
languages. ``langcodes`` is imported on first use, not with the package.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import string

__all__ = ["canonical_language", "iso639_1_codes"]

_CODE = re.compile(r"[a-z]{2,3}([-_][a-z0-9]{1,8})*")
# ISO 639-2's special codes name no language: multiple, undetermined, uncoded, no linguistic
# content, and the private-use block qaa-qtz.
_SPECIAL = re.compile(r"mis|mul|und|zxx|q[a-t][a-z]")


@functools.lru_cache(maxsize=4096)
def canonical_language(text: str) -> str | None:
    """The code stored for a language written as ``text``, or ``None`` when it is not known.

    Examples
    --------
    >>> [canonical_language(t) for t in ("nb", "NO", "nno", "norsk", "Norwegian", "bokmål")]
    ['no', 'no', 'no', 'no', 'no', 'no']
    >>> [canonical_language(t) for t in ("prs", "dari", "fa", "persisk", "arabisk", "ara")]
    ['fa', 'fa', 'fa', 'fa', 'ar', 'ar']
    >>> [canonical_language(t) for t in ("tigrinja", "somali", "engelsk", "sprog", "xx", "mul")]
    ['ti', 'so', 'en', None, None, None]
    """
    import langcodes  # first use only: keeps `import matcher` fast

    word = " ".join(text.split()).casefold()
    if not word:
        return None
    language: str | None = None
    if _CODE.fullmatch(word):
        with contextlib.suppress(LookupError, ValueError):
            tag = langcodes.Language.get(word.replace("_", "-"))
            if tag.language and tag.is_valid():
                language = tag.language
    if language is None:
        # Names are looked up among the names in every language at once (langcodes' default).
        # Asking for Norwegian names first would be worse: a name missing there is matched
        # by its longest prefix, and 'romanian' would be Romani ('rom'), not Romanian.
        with contextlib.suppress(LookupError, ValueError):
            language = langcodes.find(word).language
    if language is None or _SPECIAL.fullmatch(language):
        return None
    return _macrolanguage(language)


def _macrolanguage(code: str) -> str:
    import langcodes
    from langcodes.data_dicts import MACROLANGUAGES

    # standardize_tag maps deprecated and 3-letter codes to the 2-letter one (nob -> nb, iw -> he)
    standard = langcodes.Language.get(langcodes.standardize_tag(code, macro=True)).language
    standard = standard or code
    return MACROLANGUAGES.get(standard, standard)


@functools.cache
def iso639_1_codes() -> frozenset[str]:
    """The two-letter ISO 639-1 codes in force (184), as ``langcodes`` knows them: what a
    strict interface (the role service's JSON API) publishes as the codes it accepts.

    Withdrawn aliases of another two-letter code (``iw``, ``in``, ``ji``, ``jw``, ``mo``,
    ``sh``) are left out; ``tl`` stays although ``langcodes`` prefers ``fil``.

    >>> codes = iso639_1_codes()
    >>> len(codes), {"no", "nb", "nn", "ar", "so", "ti", "tl"} <= codes, "iw" in codes
    (184, True, False)
    """
    import langcodes

    codes = set()
    for a, b in itertools.product(string.ascii_lowercase, repeat=2):
        with contextlib.suppress(LookupError, ValueError):
            tag = langcodes.Language.get(a + b)
            if tag.is_valid() and tag.language and (tag.language == a + b
                                                    or len(tag.language) == 3):
                codes.add(a + b)
    return frozenset(codes)

