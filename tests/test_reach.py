"""The travel constraint: which roles lie within a seeker's reach, against brute force."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher._scan import haversine_km as kernel_haversine_km
from matcher._scan import reach_matrix
from matcher.score import EARTH_RADIUS_KM, _places, _reach_floor


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def _reach(seekers: list[tuple[float, float, float]],
           roles: list[tuple[float, float] | None]) -> np.ndarray:
    """The reach test the scoring pass makes, on seekers (lat, lon, radius) and roles."""
    lat, lon, radius = (np.array([s[k] for s in seekers]) for k in range(3))
    role_lat = np.array([r[0] if r else np.nan for r in roles])
    role_lon = np.array([r[1] if r else np.nan for r in roles])
    return reach_matrix(_places(lat, lon), _reach_floor(radius), radius,
                        np.ascontiguousarray(_places(role_lat, role_lon).T))


LAT = st.floats(-90, 90, allow_nan=False)
LON = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(seekers=st.lists(st.tuples(LAT, LON, st.floats(0.001, 25_000)), min_size=1, max_size=6),
       roles=st.lists(st.none() | st.tuples(LAT, LON), min_size=1, max_size=8))
def test_reach_is_haversine_distance_within_radius(seekers, roles) -> None:
    got = _reach(seekers, roles)
    for i, (lat, lon, radius) in enumerate(seekers):
        for j, role in enumerate(roles):
            want = role is None or haversine_km(lat, lon, *role) <= radius
            assert got[i, j] == want, (seekers[i], role)


def test_boundary_and_antimeridian() -> None:
    # Oslo to Bergen by great circle, then a radius just either side of it
    d = haversine_km(59.9139, 10.7522, 60.3913, 5.3221)
    roles = [(60.3913, 5.3221), (59.9139, 10.7522)]
    assert _reach([(59.9139, 10.7522, d)], roles).tolist() == [[True, True]]
    assert _reach([(59.9139, 10.7522, d * (1 - 1e-9))], roles).tolist() == [[False, True]]
    # 1 km apart across the date line, and the same longitude written both ways
    assert _reach([(0.0, 179.9955, 1.1)], [(0.0, -179.9955), (0.0, 180.0)]).tolist() == [
        [True, True]]
    # a radius exactly the distance, where the dot product alone rounds the pair out
    for seeker, role in [((59.018234578074875, 9.722671549240822), (59.174514021159986,
                                                                     10.003853342886268)),
                         ((70.46320071129301, 13.20218942901366), (69.95348393964514,
                                                                   12.526650842437505))]:
        exact = kernel_haversine_km(*seeker, *role)
        assert _reach([(*seeker, exact)], [role]).tolist() == [[True]]
    # seekers without a location reach every role
    assert _reach([(math.nan, math.nan, 5.0)], roles).tolist() == [[True, True]]
