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

Names are imported when first used (module ``__getattr__``, as Scientific Python's SPEC 1
describes), so ``import matcher`` and ``matcher --help`` cost almost nothing; ``matcher.match``
pulls in numpy, scipy and polars on first use. ``matcher.audit`` is the audit subpackage, and
calling it runs :func:`matcher.audit.audit`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from matcher import audit
    from matcher.api import MatchResult, match
    from matcher.audit import AuditResult
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

_EXPORTS: dict[str, str] = {
    "AuditResult": "matcher.audit",
    "ConfigError": "matcher.errors",
    "InputError": "matcher.errors",
    "MatchConfig": "matcher.config",
    "MatchResult": "matcher.api",
    "MatcherError": "matcher.errors",
    "OutputError": "matcher.errors",
    "Problem": "matcher.errors",
    "Resolution": "matcher.taxonomy",
    "ScoreWeights": "matcher.config",
    "Taxonomy": "matcher.taxonomy",
    "TaxonomyError": "matcher.errors",
    "UnresolvedTermError": "matcher.errors",
    "load_taxonomy": "matcher.taxonomy",
    "match": "matcher.api",
}
"""Each public name and the module that defines it."""

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


def __getattr__(name: str) -> Any:
    if name == "audit":
        # the subpackage (callable, see matcher/audit/__init__.py); importing it binds it here
        return importlib.import_module("matcher.audit")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
