"""The shared i18n machinery: CLDR plurals, language choice, catalogues from .po or .mo."""

import os
from datetime import UTC
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from suivi_infra.i18n import Catalogues, base_language, from_accept_language, plural, zone

STALLED = {"one": "{n} bloqué", "other": "{n} bloqués"}


def test_french_singular_covers_zero_and_one() -> None:
    assert [plural("fr", STALLED, n) for n in (0, 1, 2)] == ["0 bloqué", "1 bloqué", "2 bloqués"]


def test_english_zero_is_plural_and_regional_tags_work() -> None:
    parcels = {"one": "{n} parcel", "other": "{n} parcels"}
    assert [plural("en-GB", parcels, n) for n in (0, 1, 3)] == [
        "0 parcels",
        "1 parcel",
        "3 parcels",
    ]


def _package(root: Path, name: str, text: str) -> Path:
    po = root / name / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    po.write_text(f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  f'msgid "greeting"\nmsgstr "{text}"\n')  # fmt: skip
    return po


def test_catalogue_from_its_po_or_a_fresh_mo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    po = _package(tmp_path, "suivi_i18n_probe", "Hello")
    assert Catalogues("suivi_i18n_probe").translations("en").gettext("greeting") == "Hello"
    # A .mo at least as new as its .po is read as is (what `make i18n` compiled) …
    catalog = read_po(po.open("rb"))
    catalog["greeting"].string = "Hello from the mo"
    mo = po.with_suffix(".mo")
    with mo.open("wb") as out:
        write_mo(out, catalog)
    assert (
        Catalogues("suivi_i18n_probe").translations("en").gettext("greeting") == "Hello from the mo"
    )
    # … a stale one is not: the .po, edited since, wins.
    os.utime(mo, (1, 1))
    assert Catalogues("suivi_i18n_probe").translations("en").gettext("greeting") == "Hello"
    assert Catalogues("suivi_i18n_probe").languages == ("en",)


def test_language_choice_helpers() -> None:
    assert zone("Europe/Paris") != UTC and zone("nowhere") is UTC
    assert from_accept_language("de-CH;q=0.5, fr;q=0.9", ("en", "de", "fr")) == "fr"
    assert base_language("pt-BR", ("en", "fr")) is None
