"""The routes' FastAPI dependencies, as `Annotated` types: context, read model, analytics, merchant.

Each reads what the app holds (`context.ApiContext` from its creation, `context.Backends` from
the lifespan or a test) from `request.app.state`: no module-level singletons, no proxies.
All are `async def`: FastAPI would run plain functions in its thread pool.
"""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from suivi_projections.query.analytics import AnalyticsSource
from suivi_projections.query.views import ReadModel
from suivi_projections.web.context import ApiContext, Backends
from suivi_projections.web.ratelimit import LookupLimiter


async def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.context
    return ctx


async def backends(request: Request) -> Backends:
    found: Backends | None = getattr(request.app.state, "backends", None)
    if found is None:
        raise RuntimeError("a request came before the app's lifespan installed its backends")
    return found


ContextDep = Annotated[ApiContext, Depends(context)]
BackendsDep = Annotated[Backends, Depends(backends)]


async def read_model(found: BackendsDep) -> ReadModel:
    return found.read_model


async def analytics(found: BackendsDep) -> AnalyticsSource | None:
    return found.analytics


async def limiter(found: BackendsDep) -> LookupLimiter:
    return found.limits


async def utc_today() -> date:
    return datetime.now(UTC).date()


ReadModelDep = Annotated[ReadModel, Depends(read_model)]
AnalyticsDep = Annotated[AnalyticsSource | None, Depends(analytics)]
LimiterDep = Annotated[LookupLimiter, Depends(limiter)]
TodayDep = Annotated[date, Depends(utc_today)]  # the analytics' default range ends today (UTC)

_bearer = HTTPBearer(auto_error=False, description="The merchant's API key.")


async def merchant(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The merchant of the Bearer key, or 401 (counted)."""
    found = ctx.merchant_for_key(credentials.credentials) if credentials else None
    if found is None:
        ctx.metrics.merchant_auth_failures.inc()
        raise HTTPException(
            401, "missing or unknown API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return found


MerchantDep = Annotated[str, Depends(merchant)]
