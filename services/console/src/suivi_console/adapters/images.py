"""Logo uploads: size-limited, decoded by Pillow (the content decides the type, never the name
or the declared type), resized and re-encoded as PNG, which drops every metadata chunk (EXIF,
GPS, comments) and anything hidden after the image."""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, UnidentifiedImageError

ALLOWED = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_SIDE = 512
MAX_PIXELS = 25_000_000  # decompression bombs: refuse before decoding


class LogoError(ValueError):
    """Why an upload is refused (a message for the merchant)."""


def clean_logo(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """(PNG bytes, their digest) or LogoError."""
    if not data:
        raise LogoError("empty")
    if len(data) > max_bytes:
        raise LogoError("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED:
                raise LogoError("type")
            if image.width * image.height > MAX_PIXELS:
                raise LogoError("too_large")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:  # fmt: skip
        raise LogoError("type") from exc
    converted = image.convert("RGBA")
    converted.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    body = out.getvalue()
    return body, hashlib.sha256(body).hexdigest()[:16]
