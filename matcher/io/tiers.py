"""Tiers: how far a job-seeker stands from work, as labels in order or employability bands.

Read by three stages that must agree: the policy (priority grows with the tier), the audit
(rates by tier) and the report (its tables and plots). A tier label is free text; the order
is NAV's need-assessment groups when every label names one, or the Danish job centres'
readiness categories when every label names one of those, else natural order (``T2`` before
``T10``), closest to work first. Where a file gives employability but no
tier, :data:`EMPLOYABILITY_BANDS` stand in for tiers.
"""

from __future__ import annotations

import re

__all__ = ["DANISH_TIERS", "EMPLOYABILITY_BANDS", "NAV_TIERS", "tier_order"]

#: NAV's need-assessment groups (innsatsgrupper, § 14 a), closest to work first: by name (also
#: as NAV's systems write it, ``STANDARD_INNSATS``), by the words NAV shows the person
#: ("Gode muligheter"), by Arena's code (``IKVAL``, ``BFORM``, ``BATT``, ``VARIG``; Arena has
#: no code of its own for the graded group) and in English. The graded group lies between
#: specially and permanently adapted.
NAV_TIERS: tuple[tuple[str, ...], ...] = (
    ("standard", "standardinnsats", "standard innsats", "gode muligheter", "ikval",
     "ordinary"),
    ("situasjonsbestemt", "situasjonsbestemt innsats", "trenger veiledning", "bform",
     "situation-dependent", "situational"),
    ("spesielt tilpasset", "spesielt tilpasset innsats",
     "trenger veiledning, nedsatt arbeidsevne", "batt", "specially adapted"),
    ("gradert varig tilpasset", "gradert varig tilpasset innsats", "jobbe delvis",
     "graded permanently adapted"),
    ("varig tilpasset", "varig tilpasset innsats", "liten mulighet til å jobbe", "varig",
     "permanently adapted"),
)

#: the Danish job centres' readiness categories (visitation), closest to work first: job-ready
#: (and, under 30, obviously education-ready), education-ready, activity-ready
DANISH_TIERS: tuple[tuple[str, ...], ...] = (
    ("jobparat", "åbenlyst uddannelsesparat", "job-ready", "job ready"),
    ("uddannelsesparat", "education-ready", "education ready"),
    ("aktivitetsparat", "activity-ready", "activity ready"),
)

#: employability bands (closest to work first), used when SEEKERS has no tier: fixed, so that
#: runs compare, and lower bounds inclusive
EMPLOYABILITY_BANDS: tuple[tuple[float, str], ...] = (
    (0.75, "75\u2013100 %"), (0.5, "50\u201375 %"), (0.25, "25\u201350 %"), (0.0, "0\u201325 %"))


def _natural_key(label: str) -> tuple[tuple[int, object], ...]:
    parts = re.split(r"(\d+)", label.lower())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def tier_order(labels: list[str]) -> list[str]:
    """Tier labels ordered from closest to work to furthest.

    NAV's groups and the Danish readiness categories are recognised by their names (and
    English ones) when every label is one of the same scheme; other labels sort naturally
    (``T2`` before ``T10``).

    >>> tier_order(["varig tilpasset innsats", "Standard innsats", "situasjonsbestemt innsats"])
    ['Standard innsats', 'situasjonsbestemt innsats', 'varig tilpasset innsats']
    >>> tier_order(["Aktivitetsparat", "Jobparat", "Uddannelsesparat"])
    ['Jobparat', 'Uddannelsesparat', 'Aktivitetsparat']
    >>> tier_order(["T10", "T2", "T1"])
    ['T1', 'T2', 'T10']
    """
    keys = [" ".join(label.lower().replace("_", " ").split()) for label in labels]
    for scheme in (NAV_TIERS, DANISH_TIERS):
        rank = {name: i for i, names in enumerate(scheme) for name in names}
        if keys and all(k in rank for k in keys):
            return [label for _, label in sorted(zip((rank[k] for k in keys), labels,
                                                     strict=True))]
    return sorted(labels, key=_natural_key)
