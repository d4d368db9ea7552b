"""A branding's links and language as the console accepts them: absolute https URLs with a
host, and one of the languages the status pages are written in."""

from __future__ import annotations

import pytest

from suivi_schemas.branding import BRANDING_LANGUAGES, is_https_url


@pytest.mark.parametrize(
    "url", ["https://atelier.test/retours", "https://shop.example:8443/a?b=c#d", "https://[::1]/x"]
)
def test_https_urls(url: str) -> None:
    assert is_https_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://atelier.test/retours",
        "HTTPS://atelier.test/",  # the pages link only what starts with https://
        "javascript:alert(1)",
        "https://",
        "https:///path-only",
        "https://atelier.test/re tours",
        "https://atelier.test/\x00",
        "https://atelier.test/\u200b",  # an invisible character
        "https://[::1/x",  # unreadable
        "https://café.test/",  # a look-alike risk: hosts in punycode (xn--caf-dma.test)
        " https://atelier.test/",
    ],
)
def test_not_https_urls(url: str) -> None:
    assert not is_https_url(url)


def test_six_languages() -> None:
    assert sorted(BRANDING_LANGUAGES) == ["de", "en", "es", "fr", "it", "nl"]
