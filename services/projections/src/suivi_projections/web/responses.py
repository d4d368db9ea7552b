"""The API's answers outside its models: errors (the shared `suivi_infra.http` body, never
cached), and HTML pages."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response
from fastapi.responses import HTMLResponse

from suivi_infra import http
from suivi_projections.web.pages.render import Html


def error_response(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An `ErrorBody` answer that no cache keeps: it may be about a private page."""
    return http.error_response(
        status, error, detail, {"Cache-Control": "no-store", **(headers or {})}
    )


def html_response(
    page: Html, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return HTMLResponse(page.body, status_code=status, headers={**page.headers, **(headers or {})})
