"""The session cookie and the anonymous forms' double-submit CSRF cookie.

With Secure on, the names carry the `__Host-` prefix: the browser then refuses them unless
Secure, path=/ and no Domain, so a sibling subdomain cannot plant or overwrite them."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response


def session_name(secure: bool) -> str:
    return "__Host-suivi_console" if secure else "suivi_console"


def form_name(secure: bool) -> str:
    return "__Host-suivi_console_form" if secure else "suivi_console_form"


def set_session(response: Response, session_id: str, secure: bool) -> None:
    response.set_cookie(session_name(secure), session_id, httponly=True, secure=secure,
                        samesite="strict", path="/")  # fmt: skip


def clear_session(response: Response, secure: bool) -> None:
    response.delete_cookie(session_name(secure), path="/", secure=secure, httponly=True,
                           samesite="strict")  # fmt: skip


def form_token(request: Request, secure: bool) -> str:
    """The anonymous form token: the cookie's, or a new one to `remember_form_token`."""
    current = request.cookies.get(form_name(secure))
    return current if current and len(current) == 43 else secrets.token_urlsafe(32)


def remember_form_token(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(form_name(secure), token, httponly=True, secure=secure,
                        samesite="strict", path="/")  # fmt: skip


def form_token_ok(request: Request, presented: str | None, secure: bool) -> bool:
    cookie = request.cookies.get(form_name(secure))
    return bool(cookie and presented) and hmac.compare_digest(cookie or "", presented or "")
