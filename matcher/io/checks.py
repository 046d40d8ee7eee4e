"""Checks that need both validated tables: doubtful locations.

Each table is valid on its own, but together they can still show a slip:

- a seeker more than 1,000 km from every role (or a role more than 1,000 km from every seeker)
  most likely has ``lat`` and ``lon`` swapped: 59.9, 10.7 is Oslo; 10.7, 59.9 is the Arabian
  Sea. Checked only when the other table has locations.
- a seeker with ``max_distance_km`` but no location: the limit cannot be applied.

Both are warnings, never errors: the match runs, and the caseworker is told where to look. The
nearest location is found with a k-d tree on points of the unit sphere, so the check costs
O(n log m), not n x m distances.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from matcher.errors import Problem

__all__ = [
    "EARTH_RADIUS_KM",
    "FAR_KM",
    "RULE_DISTANCE_WITHOUT_LOCATION",
    "RULE_FAR_ROLE",
    "RULE_FAR_SEEKER",
    "location_warnings",
]

EARTH_RADIUS_KM = 6371.0088
FAR_KM = 1000.0
RULE_FAR_SEEKER = "is more than 1,000 km from every role: are lat and lon swapped?"
RULE_FAR_ROLE = "is more than 1,000 km from every seeker: are lat and lon swapped?"
RULE_DISTANCE_WITHOUT_LOCATION = "is given without a location (lat, lon), so it limits nothing"


def location_warnings(
    seekers: pl.DataFrame, roles: pl.DataFrame, *, seekers_name: str, roles_name: str
) -> list[Problem]:
    """Warnings about locations, from the typed seekers and roles frames.

    Examples
    --------
    >>> import polars as pl
    >>> seekers = pl.DataFrame({"lat": [59.91, 10.75], "lon": [10.75, 59.91],
    ...                         "max_distance_km": [None, None], "_row": [2, 3]})
    >>> roles = pl.DataFrame({"lat": [59.66], "lon": [10.78], "_row": [2]})
    >>> for w in location_warnings(seekers, roles, seekers_name="s.csv", roles_name="r.csv"):
    ...     print(w)
    s.csv line 3, column 'lat': is more than 1,000 km from every role: are lat and lon swapped?, got '10.75, 59.91'
    """  # noqa: E501
    warnings: list[Problem] = []
    s_points, s_lines, s_coords = _points(seekers)
    r_points, r_lines, r_coords = _points(roles)
    if len(s_points) and len(r_points):
        for name, rule, code, points, lines, coords, other in (
            (seekers_name, RULE_FAR_SEEKER, "far_seeker", s_points, s_lines, s_coords, r_points),
            (roles_name, RULE_FAR_ROLE, "far_role", r_points, r_lines, r_coords, s_points),
        ):
            for k in np.flatnonzero(_far(points, other)):
                lat, lon = coords[k]
                warnings.append(Problem(file=name, line=int(lines[k]), column="lat", rule=rule,
                                        value=f"{lat:g}, {lon:g}", level="warning", code=code))
    if "max_distance_km" in seekers.columns:
        loose = seekers.filter(pl.col("max_distance_km").is_not_null() & pl.col("lat").is_null())
        warnings += [
            Problem(file=seekers_name, line=line, column="max_distance_km",
                    rule=RULE_DISTANCE_WITHOUT_LOCATION, value=f"{km:g}", level="warning",
                    code="distance_without_location")
            for line, km in loose.select("_row", "max_distance_km").iter_rows()
        ]
    return warnings


def _points(
    frame: pl.DataFrame,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    located = frame.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    coords = located.select("lat", "lon").to_numpy().astype(np.float64).reshape(-1, 2)
    lat, lon = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    points = np.column_stack(
        (np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))
    )
    return points, located.get_column("_row").to_numpy(), coords


def _far(points: NDArray[np.float64], other: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each point is more than FAR_KM (great circle) from every point of ``other``."""
    chord = 2.0 * np.sin(FAR_KM / EARTH_RADIUS_KM / 2.0)
    distance, _ = cKDTree(other).query(points, k=1, distance_upper_bound=chord)
    return np.isinf(distance)
