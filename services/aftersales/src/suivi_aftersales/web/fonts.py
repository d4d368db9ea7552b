"""The Unicode fonts of the PDFs (the claim dossier, the return's proof of deposit), looked up
once under the configured folders: DejaVu Sans (Debian's fonts-dejavu-core) and a CJK fallback
for the Chinese scans of Cainiao, YunExpress or 4PX (fonts-wqy-microhei, else Noto Sans CJK or
Droid Sans Fallback)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

log = logging.getLogger(__name__)
REGULAR = ("DejaVuSans.ttf",)
BOLD = ("DejaVuSans-Bold.ttf",)
CJK = ("wqy-microhei.ttc", "NotoSansCJK-Regular.ttc", "DroidSansFallbackFull.ttf")
DEFAULT_DIRS = "/usr/share/fonts:/usr/local/share/fonts"
UNICODE, FALLBACK = "DejaVu", "CJK"  # the PDFs' font family names


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """Font files found (None: absent); without `regular` the PDF keeps the Latin-1 core font."""

    regular: Path | None = None
    bold: Path | None = None
    cjk: Path | None = None


NONE = PdfFonts()  # the core Helvetica: Latin-1 only


def _first(folders: tuple[Path, ...], names: tuple[str, ...]) -> Path | None:
    for name in names:  # by preference, then by folder
        for folder in folders:
            found = sorted(folder.rglob(name)) if folder.is_dir() else []
            if found:
                return found[0]
    return None


@functools.cache
def find_fonts(dirs: str = DEFAULT_DIRS) -> PdfFonts:
    """The fonts under `dirs` (':'-separated, searched in depth); one warning when DejaVu is
    missing, since every dossier then prints '?' for what Latin-1 lacks."""
    folders = tuple(Path(d) for d in dirs.split(":") if d)
    fonts = PdfFonts(_first(folders, REGULAR), _first(folders, BOLD), _first(folders, CJK))
    if fonts.regular is None:
        log.warning("no DejaVuSans.ttf under %s: claim dossiers fall back to Latin-1", dirs)
    elif fonts.cjk is None:
        log.info("no CJK font under %s: Chinese, Japanese or Korean text prints as boxes", dirs)
    return fonts


@functools.cache
def _warn_once(font: Path) -> None:
    log.warning("unreadable font %s: PDFs fall back to Latin-1 or lose CJK", font)


def unicode_family(pdf: FPDF, fonts: PdfFonts, text: str) -> bool:
    """Adds DejaVu Sans (and the CJK font when the text needs glyphs DejaVu lacks); False when
    the core font must do (no font, or an unreadable one: never a failed download)."""
    if fonts.regular is None:
        return False
    try:
        pdf.add_font(UNICODE, "", fonts.regular)
        pdf.add_font(UNICODE, "B", fonts.bold or fonts.regular)
    except Exception:  # fontTools raises many kinds on a damaged file: none may cost the PDF
        _warn_once(fonts.regular)
        return False
    cmap: dict[int, int] = getattr(pdf.fonts[UNICODE.lower()], "cmap", {})
    missing = any(ord(ch) not in cmap for ch in text if not ch.isspace())
    if missing and fonts.cjk is not None:  # loading it costs ~0.2 s: only when needed
        try:
            pdf.add_font(FALLBACK, "", fonts.cjk)
            pdf.set_fallback_fonts([FALLBACK], exact_match=False)  # bold text too
        except Exception:  # as above: DejaVu alone then, CJK as boxes
            _warn_once(fonts.cjk)
    return True


def latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")
