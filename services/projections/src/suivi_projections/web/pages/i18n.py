"""French and English for the status page: language choice, messages, dates in a time zone.

Messages live in `locales/<lang>.json` (same keys in each; a test checks it). Dates are
formatted here rather than with a locale library: two languages need a dozen names each.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED = ("en", "fr")
DEFAULT = "en"

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}  # fmt: skip


def _base(tag: str | None) -> str | None:
    """'fr-CA' → 'fr' when supported, else None."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else None


def from_accept_language(header: str | None) -> str | None:
    """Best supported language of an Accept-Language header (q-values honoured)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = _base(tag)
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose_language(
    *, override: str | None = None, order_locale: str | None = None, accept: str | None = None
) -> str:
    """`?lang=` if supported, else the order's locale, else Accept-Language, else English."""
    return _base(override) or _base(order_locale) or from_accept_language(accept) or DEFAULT


def zone(name: str | None) -> tzinfo:
    """The order's IANA zone; UTC when unknown or malformed (never an error page)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@functools.cache
def _catalog(language: str) -> dict[str, str]:
    text = (
        resources.files("suivi_projections.web.pages")
        .joinpath(f"locales/{language}.json")
        .read_text()
    )
    messages: dict[str, str] = json.loads(text)
    return messages


def catalog_keys(language: str) -> frozenset[str]:
    return frozenset(_catalog(language))


class Translator:
    """Messages and dates of one language, dates shown in one time zone."""

    def __init__(self, language: str, tz: tzinfo = UTC, now: datetime | None = None) -> None:
        self.language = language if language in SUPPORTED else DEFAULT
        self.tz = tz
        # "today" is the shopper's today: the date in their zone, not the server's.
        self.today = (now or datetime.now(UTC)).astimezone(tz).date()
        self.current_year = self.today.year
        self._messages = _catalog(self.language)

    def __call__(self, key: str, **values: object) -> str:
        text = self._messages.get(key)
        if text is None:
            text = _catalog(DEFAULT).get(key, key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._messages

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def day(self, value: date | datetime, *, weekday: bool = True, relative: bool = True) -> str:
        """'today' / 'tomorrow' / 'yesterday' in the shopper's zone, else 'Tuesday 14 May' /
        'mardi 14 mai'; the year only when not the current one."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        offset = (value - self.today).days
        if relative and -1 <= offset <= 1:
            return self(("day.yesterday", "day.today", "day.tomorrow")[offset + 1])
        month = _MONTHS[self.language][value.month - 1]
        text = f"{value.day} {month}"
        if self.language == "fr" and value.day == 1:
            text = f"1er {month}"
        if value.year != self.current_year:
            text = f"{text} {value.year}"
        if weekday:
            text = f"{_WEEKDAYS[self.language][value.weekday()]} {text}"
        return text

    def time(self, moment: datetime) -> str:
        return self.local(moment).strftime("%H:%M")

    def moment(self, moment: datetime) -> str:
        """'Tuesday 14 May, 14:05' / 'mardi 14 mai à 14:05' ('today, 14:05')."""
        joiner = " à " if self.language == "fr" else ", "
        return f"{self.day(moment)}{joiner}{self.time(moment)}"
