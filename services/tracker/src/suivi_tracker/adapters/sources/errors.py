"""Reading the error bodies carriers answer with (4xx), shared by the carrier sources."""

from __future__ import annotations

from typing import Any

from suivi_tracker.domain.sources import NeedsInfo, Rejected

_POSTAL_HINTS = ("postal", "zip", "postcode", "post code")


def messages(body: Any) -> list[str]:
    """Every `message` / `detail` / `title` string found in an error body, depth-first."""
    found: list[str] = []
    stack = [body]
    while stack and len(found) < 20:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("message", "detail", "title", "returnMessage") and isinstance(
                    value, str
                ):
                    found.append(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def refuse(source: str, status: int, body: Any) -> Rejected | NeedsInfo:
    """A 4xx answer: NeedsInfo when it asks for the destination postal code, else Rejected."""
    texts = messages(body)
    if any(hint in text.lower() for text in texts for hint in _POSTAL_HINTS):
        return NeedsInfo(("postal_code",))
    return Rejected(f"{source} refused the request (HTTP {status}): {'; '.join(texts)[:300]}")
