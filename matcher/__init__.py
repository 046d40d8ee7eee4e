"""matcher: resource-first matching of job-seekers to roles at social enterprises.

The public API::

    import matcher
    result = matcher.match("seekers.csv", "roles.csv")     # optimal, explained proposal
    result.matches, result.alternatives, result.manifest   # polars frames and a dict
    result.write("matches.csv", alternatives="alts.csv")   # atomic writes + manifest

    tax = matcher.load_taxonomy()                          # the built-in ESCO v1.1.1 snapshot
    tax.resolve("birøktere", "occupation").label           # 'bee breeder'

Settings live in one validated record, :class:`MatchConfig`; errors derive from
:class:`MatcherError` (and ``ValueError`` / ``OSError`` where that fits).
"""

__version__ = "0.1.0"

from matcher.api import MatchResult, match
from matcher.audit import AuditResult, audit
from matcher.config import MatchConfig, ScoreWeights
from matcher.errors import (
    ConfigError,
    InputError,
    MatcherError,
    OutputError,
    Problem,
    TaxonomyError,
    UnresolvedTermError,
)
from matcher.taxonomy import Resolution, Taxonomy, load_taxonomy

__all__ = [
    "AuditResult",
    "ConfigError",
    "InputError",
    "MatchConfig",
    "MatchResult",
    "MatcherError",
    "OutputError",
    "Problem",
    "Resolution",
    "ScoreWeights",
    "Taxonomy",
    "TaxonomyError",
    "UnresolvedTermError",
    "__version__",
    "audit",
    "load_taxonomy",
    "match",
]
