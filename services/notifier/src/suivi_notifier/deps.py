"""The API's dependencies as `Annotated` types: what `create_api` was given, read from the app's
state (set once by the app factory, never filled in later)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from suivi_notifier.adapters.pg_subscriptions import SubscriptionStore
from suivi_notifier.adapters.render import Renderer
from suivi_notifier.adapters.vapid import Vapid
from suivi_notifier.settings import NotifierSettings


@dataclass(frozen=True, slots=True)
class ApiContext:
    settings: NotifierSettings
    store: SubscriptionStore
    vapid: Vapid | None
    renderer: Renderer
    clock: Callable[[], datetime]


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


ContextDep = Annotated[ApiContext, Depends(api_context)]


def _store(context: ContextDep) -> SubscriptionStore:
    return context.store


def _now(context: ContextDep) -> datetime:
    return context.clock()


StoreDep = Annotated[SubscriptionStore, Depends(_store)]
NowDep = Annotated[datetime, Depends(_now)]
