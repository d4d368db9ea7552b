"""Claim photos: images only (checked by decoding the content, never by name or declared type),
size-limited, and re-encoded from their pixels so that nothing of the upload's metadata (EXIF,
GPS position, camera serial, XMP, comments) is stored."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRefusedError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """(re-encoded bytes, media type) of an accepted photo; PhotoRefusedError otherwise."""
    if len(data) > MAX_BYTES:
        raise PhotoRefusedError("photo_too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise PhotoRefusedError("not_an_image")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = image.convert("RGBA" if kind == "PNG" else "RGB")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        if isinstance(exc, PhotoRefusedError):
            raise
        raise PhotoRefusedError("not_an_image") from None
    out = io.BytesIO()
    # A new image from pixels only: no exif=, no info carried over.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    clean.save(out, format=kind if kind != "WEBP" else "WEBP", quality=88)
    return out.getvalue(), FORMATS[str(kind)]
