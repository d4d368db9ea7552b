"""The console's words: English and French have the same keys, and every literal key a
template asks for (`t("…")`) is in them (a missing one would show the key itself)."""

from __future__ import annotations

import re
from importlib import resources

from suivi_console.web.render import LANGUAGES, catalogue

TEMPLATES = resources.files("suivi_console.web").joinpath("templates")


def test_every_language_has_every_key() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    assert keys["fr"] == keys["en"]


def test_every_literal_key_of_the_templates_is_translated() -> None:
    asked = set()
    for template in TEMPLATES.iterdir():
        if template.name.endswith(".html"):
            asked |= set(re.findall(r't\("([a-z_.]+)"\)', template.read_text("utf-8")))
    assert asked and asked <= set(catalogue("en")), sorted(asked - set(catalogue("en")))
