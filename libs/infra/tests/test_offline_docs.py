"""API docs from local files: /docs and /redoc load Swagger UI and ReDoc from the app itself."""

import re

import httpx
import pytest

from suivi_infra.http import offline_api


@pytest.fixture
async def client() -> httpx.AsyncClient:
    app = offline_api(title="Probe", version="1")

    @app.get("/v1/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_reference_no_other_origin_and_their_assets_are_served(
    client: httpx.AsyncClient, page: str
) -> None:
    async with client:
        html = (await client.get(page)).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets and all(a.startswith("/docs-assets/") for a in assets), assets
        assert "cdn" not in html and "fonts.googleapis" not in html
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200 and len(response.content) > 100, asset
        assert (await client.get("/openapi.json")).json()["paths"].keys() == {"/v1/ping"}
