"""POST /v1/trackings/batch: up to 1,000 trackings at once, as JSON lines or CSV (the columns
of AfterShip's CSV import that Suivi uses), answered line by line."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from suivi_infra.http import StrictJSONRoute
from suivi_tracker.api.deps import ApiError, ContextDep, MerchantDep, tracking_out
from suivi_tracker.api.models import BatchLine, BatchOut, ErrorBody, OrderLink, TrackingIn
from suivi_tracker.api.trackings import AUTH, request_of
from suivi_tracker.handlers.start import Refused

# RFC 8259 JSON only: NaN, Infinity and 1e999 are malformed (400), as on every Suivi API.
router = APIRouter(prefix="/v1/trackings", tags=["trackings"], route_class=StrictJSONRoute)

MAX_LINES = 1000
MAX_BYTES = 1024 * 1024
CSV_COLUMNS = ("tracking_number", "carrier", "postal_code", "country", "ship_date",
               "order_number", "title")  # fmt: skip
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def _csv_items(text: str) -> list[dict[str, Any] | str]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if "tracking_number" not in (reader.fieldnames or ()) or unknown:
        raise ApiError(
            400,
            "invalid_csv",
            f"a header row of {', '.join(CSV_COLUMNS)} (tracking_number required)",
        )
    items: list[dict[str, Any] | str] = []
    for row in reader:
        values: dict[str, Any] = {
            k: v.strip() for k, v in row.items() if k and isinstance(v, str) and v.strip()
        }
        destination = {k: values.pop(k) for k in ("postal_code", "country") if k in values}
        if destination:
            values["destination"] = destination
        items.append(values)
    return items


def _json_items(text: str) -> list[dict[str, Any] | str]:
    items: list[dict[str, Any] | str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            items.append("not a JSON object")
            continue
        items.append(value if isinstance(value, dict) else "not a JSON object")
    return items


@router.post(
    "/batch", response_model=BatchOut,
    responses={
        **AUTH,
        400: {"model": ErrorBody, "description": "Not UTF-8, or a CSV without its header row."},
        413: {"model": ErrorBody, "description": "More than 1,000 lines or 1 MiB."},
        415: {"model": ErrorBody, "description": "Neither JSON lines nor CSV."},
    },
    openapi_extra={"requestBody": {"content": {
        "application/x-ndjson": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
    }, "required": True}},
)  # fmt: skip
async def batch(request: Request, merchant_id: MerchantDep, ctx: ContextDep) -> BatchOut:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (*JSON_LINES, "text/csv"):
        raise ApiError(415, "unsupported_media_type", "send application/x-ndjson or text/csv")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise ApiError(413, "batch_too_large", f"at most {MAX_BYTES} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BYTES:
            raise ApiError(413, "batch_too_large", f"at most {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the body must be UTF-8") from None
    items = _csv_items(text) if media == "text/csv" else _json_items(text)
    if len(items) > MAX_LINES:
        raise ApiError(413, "batch_too_large", f"at most {MAX_LINES} trackings per batch")
    lines: list[BatchLine] = []
    async with ctx.pool.acquire() as conn:
        for number, item in enumerate(items, start=1):
            lines.append(await _line(ctx, conn, merchant_id, number, item))
    counts = {s: sum(1 for x in lines if x.status == s) for s in (200, 201)}
    return BatchOut(
        created=counts[201], existing=counts[200],
        refused=len(lines) - counts[200] - counts[201], lines=lines,
    )  # fmt: skip


async def _line(
    ctx: ContextDep, conn: Any, merchant_id: str, number: int, item: dict[str, Any] | str
) -> BatchLine:
    if isinstance(item, str):
        return BatchLine(
            line=number, status=400, error=ErrorBody(error="invalid_json", detail=item)
        )
    try:
        body = TrackingIn.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        error = ErrorBody(error="invalid_request", detail=f"{where}: {first['msg']}")
        return BatchLine(line=number, status=422, error=error)
    try:
        started = await ctx.starter.start(conn, request_of(body, merchant_id), ctx.clock())
    except Refused as exc:
        ctx.metrics.started.labels("api", "refused").inc()
        return BatchLine(
            line=number, status=422, error=ErrorBody(error=exc.code, detail=exc.detail)
        )
    ctx.metrics.started.labels("api", "created" if started.created else "existing").inc()
    link = [OrderLink(order_number=body.order_number, title=body.title)]
    link = [o for o in link if o.order_number or o.title]
    return BatchLine(
        line=number,
        status=201 if started.created else 200,
        tracking=tracking_out(started.row, link),
    )
