"""The creaming and parking audit: does a selection favour the people who would have found work
anyway, beyond how well they fit?

Use :func:`audit` on SEEKERS (tier, employability) and DECISIONS (the eligible pool with fit and
selected), or on the engine's own MATCHES and ALTS. It returns an :class:`AuditResult`: the
verdict with its reasons, the typed records of metrics C1-C13 (see ``docs/audit.md``), the same
as JSON-ready data and polars frames, the suppressed cells, and a self-contained HTML report.

Modules, in the order the data flows: :mod:`~matcher.audit.inputs` (read and validate),
:mod:`~matcher.audit.caseload` (everyone, and the ledger of published counts),
:mod:`~matcher.audit.selection` (C1-C5, C8), :mod:`~matcher.audit.conditional` (C6, C7),
:mod:`~matcher.audit.parking` (C9), :mod:`~matcher.audit.ranked` (C10, C11),
:mod:`~matcher.audit.outcomes` (C12, C13), :mod:`~matcher.audit.disclosure` (suppression and
the differencing check), :mod:`~matcher.audit.verdict`, :mod:`~matcher.audit.report` and
:mod:`~matcher.audit.plots` (SVG). The statistics they use: :mod:`~matcher.audit.metrics`,
:mod:`~matcher.audit.creaming`, :mod:`~matcher.audit.ranking`, :mod:`~matcher.audit.inference`.
"""

import sys
import types
from typing import Any

from matcher.audit.core import audit
from matcher.audit.records import AuditSettings, Verdict
from matcher.audit.result import AuditResult, Families

__all__ = ["AuditResult", "AuditSettings", "Families", "Verdict", "audit"]


class _CallableModule(types.ModuleType):
    """This package, callable: ``matcher.audit(...)`` is :func:`matcher.audit.audit`, while
    ``matcher.audit.core`` and the other modules stay importable under the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> AuditResult:
        return audit(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
