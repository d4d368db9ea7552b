"""Shopper-language machinery every service shares: gettext catalogues, language choice, plural
forms and dates, on Babel (CLDR).

A package keeps its words in `<package>/locales/<lang>/LC_MESSAGES/messages.po`, message ids
being stable keys (`shipment.delivered`): reworded English then never invalidates the other
languages. `make i18n` runs `pybabel extract/update/compile`; the `.mo` files it writes are not
committed (binary, and they drift from their source): a catalogue is read from its `.mo` when
one is at least as new as the `.po`, else compiled from the `.po` in memory, once per process.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT = "en"


def N_(key: str) -> str:  # noqa: N802 (gettext's name for "mark for extraction")
    """Marks a message id built at run time for `pybabel extract`; translated where used."""
    return key


# The ids `Translator` itself asks for (date patterns, relative days): every catalogue holds
# them; `make i18n` extracts this file with each package, and the catalogue test counts them.
TRANSLATOR_KEYS = (
    N_("date.day"), N_("date.day_year"), N_("date.plain"), N_("date.plain_year"),
    N_("date.short"), N_("date.time"), N_("date.moment"),
    N_("day.today"), N_("day.tomorrow"), N_("day.yesterday"),
)  # fmt: skip


def plural(language: str, forms: Mapping[str, str], n: int) -> str:
    """The form of `forms` (keyed by CLDR plural category: one, few, many, other) that `n`
    takes in `language`, filled with `{n}`: French says "0 bloqué, 1 bloqué, 2 bloqués",
    English "1 parcel, 0 parcels". A missing category falls back to "other"."""
    category = Locale.parse(language.replace("-", "_")).plural_form(n)
    # (replace, not format: the forms may hold other placeholders, filled by the caller)
    return forms.get(category, forms["other"]).replace("{n}", str(n))


def base_language(tag: str | None, supported: Iterable[str]) -> str | None:
    """'fr-CA' → 'fr' when supported, else None."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in tuple(supported) else None


def from_accept_language(header: str | None, supported: Iterable[str]) -> str | None:
    """Best supported language of an Accept-Language header (q-values honoured)."""
    if not header:
        return None
    languages = tuple(supported)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = base_language(tag, languages)
        if language is not None and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def zone(name: str | None) -> tzinfo:
    """An IANA zone; UTC when unknown or malformed (never an error)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


class Catalogues:
    """The gettext catalogues of one package (`<package>/locales/<lang>/LC_MESSAGES/*.po`)."""

    def __init__(self, package: str, folder: str = "locales", domain: str = "messages") -> None:
        self.package = package
        self.folder = folder
        self.domain = domain

    def _root(self) -> Traversable:
        return resources.files(self.package).joinpath(self.folder)

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """The languages with a catalogue, English first."""
        found = sorted(p.name for p in self._root().iterdir() if p.joinpath("LC_MESSAGES").is_dir())
        return tuple(sorted(found, key=lambda lang: (lang != DEFAULT, lang)))

    def po_path(self, language: str) -> Traversable:
        return self._root().joinpath(language, "LC_MESSAGES", f"{self.domain}.po")

    def catalogue(self, language: str) -> Catalog:
        """The `.po` as Babel reads it (tests and tools)."""
        with self.po_path(language).open("rb") as source:
            return read_po(source, locale=language, domain=self.domain)

    @functools.cache  # noqa: B019 (one instance per package, alive for the process)
    def translations(self, language: str) -> gettext.GNUTranslations:
        """The language's messages, English behind them for an id it lacks (tests forbid that)."""
        found = self._compiled(language)
        if language != DEFAULT:
            found.add_fallback(self.translations(DEFAULT))
        return found

    def _compiled(self, language: str) -> gettext.GNUTranslations:
        po = self.po_path(language)
        mo = self._root().joinpath(language, "LC_MESSAGES", f"{self.domain}.mo")
        fresh = isinstance(po, Path) and isinstance(mo, Path) and mo.is_file()
        if fresh and Path(str(mo)).stat().st_mtime >= Path(str(po)).stat().st_mtime:
            return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
        buffer = io.BytesIO()
        write_mo(buffer, self.catalogue(language))
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)

    def keys(self, language: str) -> frozenset[str]:
        """The message ids the language's `.po` holds (its header aside)."""
        return frozenset(
            str(m.id if isinstance(m.id, str) else m.id[0])
            for m in self.catalogue(language)
            if m.id
        )


class Translator:
    """Messages, plurals and dates of one language, dates shown in one time zone: 'today' is
    the reader's today, the date in their zone and not the server's. Date patterns are
    messages too (`date.day` …: translators own the order of the words), the names Babel's."""

    def __init__(
        self,
        catalogues: Catalogues,
        language: str,
        tz: tzinfo = UTC,
        now: datetime | None = None,
    ) -> None:
        self.language = language if language in catalogues.languages else DEFAULT
        self.tz = tz
        self.today = (now or datetime.now(UTC)).astimezone(tz).date()
        self.current_year = self.today.year
        self._messages = catalogues.translations(self.language)
        self._catalogues = catalogues

    def __call__(self, key: str, **values: object) -> str:
        text = self._messages.gettext(key)
        return text.format(**values) if values else text

    def n(self, singular: str, plural_key: str, number: int, /, **values: object) -> str:
        """The plural form of `number` in this language (gettext's Plural-Forms), `{n}` filled."""
        return self._messages.ngettext(singular, plural_key, number).format(n=number, **values)

    def has(self, key: str) -> bool:
        """Whether the catalogues hold `key` (a code without words shows its status's)."""
        return self._messages.gettext(key) != key

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def day(self, value: date | datetime, *, weekday: bool = True, relative: bool = True) -> str:
        """'today' / 'tomorrow' / 'yesterday' in the reader's zone, else 'Tuesday 8 December'
        ('mardi 8 décembre', 'Dienstag, 8. Dezember'); the year only when not this one's."""
        if isinstance(value, datetime):
            value = self.local(value).date()
        offset = (value - self.today).days
        if relative and -1 <= offset <= 1:
            return self(("day.yesterday", "day.today", "day.tomorrow")[offset + 1])
        key = "date.day" if weekday else "date.plain"
        if value.year != self.current_year:
            key += "_year"
        text = format_date(value, self(key), locale=self.language)
        if self.language == "fr" and value.day == 1:  # French writes the first of the month 1er
            text = text.replace(" 1 ", " 1er ", 1) if weekday else text.replace("1 ", "1er ", 1)
        return text

    def short_date(self, moment: datetime) -> str:
        """'8 Dec' / '8 déc.' in the reader's zone."""
        return format_date(self.local(moment).date(), self("date.short"), locale=self.language)

    def time(self, moment: datetime) -> str:
        return format_time(self.local(moment).time(), self("date.time"), locale=self.language)

    def moment(self, moment: datetime) -> str:
        """'Tuesday 8 December, 14:05' / 'mardi 8 décembre à 14:05' ('today, 14:05')."""
        return self("date.moment", day=self.day(moment), time=self.time(moment))
