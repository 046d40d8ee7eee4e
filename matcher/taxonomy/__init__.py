"""The ESCO taxonomy: occupations, skills, their relations, and term resolution.

- :func:`load_taxonomy` gives a :class:`Taxonomy`: the built-in ESCO v1.1.1 snapshot by default,
  another snapshot, or an official ESCO download compiled on the fly.
- :meth:`Taxonomy.resolve` turns what a caseworker typed (a URI, a STYRK-08/ISCO-08 code, or a
  label in English, Norwegian or Danish, inflected or misspelt) into concept indices, as a
  :class:`Resolution`.
- ``python -m matcher._build.compile`` rebuilds the snapshot from the official files.

This service uses the ESCO classification of the European Commission.
"""

from matcher.taxonomy import snapshot as _snapshot  # noqa: F401  (Taxonomy.save's format)
from matcher.taxonomy import transfer as _transfer  # noqa: F401  (the similarity's source)
from matcher.taxonomy.load import load_taxonomy
from matcher.taxonomy.model import Taxonomy
from matcher.taxonomy.resolve import Resolution

__all__ = ["Resolution", "Taxonomy", "load_taxonomy"]
