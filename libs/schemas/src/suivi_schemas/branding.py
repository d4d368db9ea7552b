"""What a `merchants.Branding` may hold beyond its shape, as the console checks it: links the
pages show, and the languages the status pages and messages are written in."""

from __future__ import annotations

from urllib.parse import urlsplit

# A branding's `language` (the pages' language when neither the order nor the browser says)
# is one of these: the status pages have a catalogue for each (a projections test checks).
BRANDING_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "nl")


def is_https_url(url: str) -> bool:
    """An absolute https URL with a host, in printable ASCII without spaces (what a browser
    shows is what it opens: no control, invisible or look-alike characters; other characters
    are percent-encoded, hosts in punycode): what a branding's links may be."""
    if not (url.startswith("https://") and url.isascii() and url.isprintable()) or " " in url:
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
