"""The catalogue audit every service's tests run (and `make i18n` mirrors in babel.cfg): the
message ids the code and templates use, extracted by Babel as `pybabel extract` does, against
each language's `.po`: none missing, none unknown, none untranslated, same placeholders."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from suivi_infra.i18n import DEFAULT, TRANSLATOR_KEYS, Catalogues

# As in babel.cfg: Python and Jinja2 templates; `t("id")`, `N_("id")`, `t.n("id", "id.plural", n)`.
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.j2", "jinja2"),
    ("**.py", "python"),
]
KEYWORDS: dict[str, tuple[int, ...] | None] = {"t": None, "N_": None, "n": (1, 2)}
_FIELD = re.compile(r"\{(\w*)\}")


def extracted_ids(root: Path) -> frozenset[str]:
    """The message ids used under `root` (a package's folder), as `pybabel extract` finds them."""
    found: set[str] = set()
    # (Babel prints a warning per f-string id: those are the run-time ids keys.py marks.)
    with contextlib.redirect_stderr(io.StringIO()):
        for _, _, message, _, _ in extract_from_dir(
            str(root), METHODS, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
        ):
            found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, (tuple, list)) else []


def problems(catalogues: Catalogues, root: Path) -> list[str]:
    """Every gap between the code's ids and the catalogues, one line each (empty: complete)."""
    used = extracted_ids(root) | frozenset(TRANSLATOR_KEYS)
    english = {
        str(m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalogues.catalogue(DEFAULT)
        if m.id
    }
    out: list[str] = []
    for language in catalogues.languages:
        messages = {
            str(m.id if isinstance(m.id, str) else m.id[0]): m
            for m in catalogues.catalogue(language)
            if m.id
        }
        out += [f"{language}: missing {key}" for key in sorted(used - set(messages))]
        out += [f"{language}: unknown or unused {key}" for key in sorted(set(messages) - used)]
        for key, message in sorted(messages.items()):
            texts = _texts(message.string)
            if message.fuzzy or not texts or not all(texts):
                out.append(f"{language}: untranslated {key}")
                continue
            reference = english.get(key)
            if reference is None:
                continue
            wanted = {f for t in _texts(reference.string) for f in _FIELD.findall(t)}
            for text in texts:
                if set(_FIELD.findall(text)) - wanted - {"n"}:
                    out.append(f"{language}: placeholders of {key} differ from English")
    return out
