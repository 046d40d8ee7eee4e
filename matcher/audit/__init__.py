"""The creaming and parking audit: does a selection favour the people who would have found work
anyway, beyond how well they fit?

Use :func:`audit` on SEEKERS (tier, employability) and DECISIONS (the eligible pool with fit and
selected), or on the engine's own MATCHES and ALTS. It returns an :class:`AuditResult`: the
verdict with its reasons, metrics C1-C13 (see ``docs/audit.md``) as JSON-ready data and polars
frames, the suppressed cells, and a self-contained HTML report.

Modules: :mod:`~matcher.audit.inputs` (read and validate), :mod:`~matcher.audit.metrics`
(rates, ratios, exact tests, SMD), :mod:`~matcher.audit.creaming` (C6, C7, C9's test),
:mod:`~matcher.audit.ranking` (C10, C11), :mod:`~matcher.audit.inference` (correction, bootstrap,
suppression), :mod:`~matcher.audit.verdict`, :mod:`~matcher.audit.report`.
"""

import sys
import types
from typing import Any

from matcher.audit.core import AuditSettings, audit
from matcher.audit.result import AuditResult

__all__ = ["AuditResult", "AuditSettings", "audit"]


class _CallableModule(types.ModuleType):
    """This package, callable: ``matcher.audit(...)`` is :func:`matcher.audit.audit`, while
    ``matcher.audit.core`` and the other modules stay importable under the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> AuditResult:
        return audit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
