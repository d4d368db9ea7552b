"""Claim photos: images only (by content), size-limited, stored without their metadata (the GPS
position a phone writes in EXIF is gone)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from suivi_aftersales.adapters.images import MAX_BYTES, PhotoRefusedError, clean_photo
from suivi_aftersales.testing.images import GPS_IFD, photo_with_gps


def test_gps_and_every_exif_tag_are_stripped() -> None:
    original = photo_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert GPS_IFD in before.getexif()  # the test photo does carry a position
    data, media_type = clean_photo(original)
    assert media_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as after:
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info
        assert after.size == (64, 48)
    assert b"PhoneMaker" not in data


def test_png_stays_png() -> None:
    data, media_type = clean_photo(photo_with_gps("PNG"))
    assert media_type == "image/png" and data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7 not a photo", "not_an_image"),
        (b"GIF89a" + b"\x00" * 20, "not_an_image"),
        (photo_with_gps()[:200], "not_an_image"),  # truncated
        (b"\xff\xd8" + b"\x00" * MAX_BYTES, "photo_too_large"),
    ],
)
def test_what_is_not_an_acceptable_photo_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(PhotoRefusedError) as refused:
        clean_photo(data)
    assert refused.value.code == code
