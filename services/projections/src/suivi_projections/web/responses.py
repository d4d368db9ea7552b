"""The API's answers outside its models: the error body every route uses, and HTML pages."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from suivi_projections.web.pages.render import Html


class ErrorBody(BaseModel):
    error: str
    detail: str


def error_response(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    merged = {"Cache-Control": "no-store", **(headers or {})}
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=merged)


def html_response(
    page: Html, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return HTMLResponse(page.body, status_code=status, headers={**page.headers, **(headers or {})})
