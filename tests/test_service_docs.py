"""The OpenAPI documentation page works offline: Swagger UI comes from the package, not a CDN."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from matcher.service import ServiceSettings, create_app

with warnings.catch_warnings():
    # Starlette's TestClient warns about its own httpx dependency on import (third-party code).
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


def test_docs_page_and_its_assets_are_served_locally(tmp_path: Path) -> None:
    app = create_app(ServiceSettings(db=f"sqlite:///{tmp_path / 'roles.db'}"))
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert not re.search(r"https?://", page.text), "the docs page must not reach the network"
        csp = page.headers["content-security-policy"]
        assert "http" not in csp
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        assert "/static/swagger-ui/swagger-ui-bundle.js" in assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert client.get("/openapi.json").json()["info"]["title"].startswith("matcher")
