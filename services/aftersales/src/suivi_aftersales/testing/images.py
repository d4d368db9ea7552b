"""Test photos: a JPEG carrying a GPS position in its EXIF, as phones write them."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825


def photo_with_gps(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, format=kind, exif=exif)
    return out.getvalue()
