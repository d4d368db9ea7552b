"""Sealed webhook secrets open only with the key and context; logos are checked by content."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from suivi_console.adapters.images import LogoError, clean_logo
from suivi_infra.sealing import SealError, seal, unseal

KEY = "s" * 40


def test_seal_round_trip_bound_to_key_and_context() -> None:
    sealed = seal(KEY, "whsec_abc", "atelier:wh_1")
    assert "whsec_abc" not in sealed
    assert unseal(KEY, sealed, "atelier:wh_1") == "whsec_abc"
    with pytest.raises(SealError):
        unseal(KEY, sealed, "northwind:wh_1")
    with pytest.raises(SealError):
        unseal("t" * 40, sealed, "atelier:wh_1")
    with pytest.raises(SealError):
        unseal(KEY, "plain", "atelier:wh_1")


def _png_with_metadata() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location 48.85,2.35")
    out = io.BytesIO()
    Image.new("RGB", (1000, 400), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_logo_is_reencoded_without_metadata_and_resized() -> None:
    body, digest = clean_logo(_png_with_metadata(), 512 * 1024)
    assert b"secret location" not in body
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG" and max(image.size) == 512
    assert len(digest) == 16


def test_logo_refusals() -> None:
    with pytest.raises(LogoError, match="too_large"):
        clean_logo(b"x" * 2000, 1024)
    with pytest.raises(LogoError, match="type"):
        clean_logo(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 1024)
    with pytest.raises(LogoError, match="type"):
        clean_logo(b"GIF89a" + b"\x00" * 40, 1024)  # a header, no image
    with pytest.raises(LogoError, match="empty"):
        clean_logo(b"", 1024)
