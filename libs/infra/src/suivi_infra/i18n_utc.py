"""Dates and amounts for pages that do not know their reader's time zone (after-sales, the
merchant console): times in UTC and saying so, dates without relative words, amounts by Babel.
A package using it marks `N_("date.moment_utc")` in its keys and translates it
('{day}, {time} UTC', 'Dienstag, 8. Dezember um 14:05 Uhr (UTC)')."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import UnknownCurrencyError, format_currency

from suivi_infra.i18n import Catalogues, Translator


def _moment(value: datetime | str) -> datetime:
    """A datetime, or an ISO 8601 string as the services' JSON carries it (naive: UTC)."""
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found if found.tzinfo else found.replace(tzinfo=UTC)


class UtcTranslator(Translator):
    def __init__(self, catalogues: Catalogues, language: str, now: datetime | None = None) -> None:
        super().__init__(catalogues, language, UTC, now)

    def when(self, at: datetime | str) -> str:
        """'Tuesday 8 December, 14:05 UTC' (the year when not this one's)."""
        moment = _moment(at)
        return self("date.moment_utc", day=self.day(moment, relative=False), time=self.time(moment))

    def date(self, at: date | datetime | str) -> str:
        """'8 December' ('8. Dezember', '8 de diciembre'), the year when not this one's."""
        value = _moment(at) if isinstance(at, str) else at
        return self.day(value, weekday=False, relative=False)

    def amount(self, amount: str | Decimal, currency: str | None) -> str:
        """'€39.90' / '39,90 €' (Babel); as given when it is no decimal or no known currency."""
        try:
            return format_currency(Decimal(amount), currency or "", locale=self.language)
        except (InvalidOperation, UnknownCurrencyError, ValueError):
            return f"{amount} {currency or ''}".strip()
