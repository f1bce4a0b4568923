"""Photos kept by Cascada (a community action's photos, a milestone's evidence): re-encoded
as JPEG without their metadata, so that a phone's GPS position or its owner's name never
reaches the storage (docs/security.md)."""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

PHOTO_MAX_SIDE = 1600
# A photo is decoded only up to this many pixels (a JPEG is decoded at a reduced scale
# first, so a 50 MP phone photo passes): a small file that claims 12000 × 12000 pixels
# would otherwise cost gigabytes of memory to decode.
PHOTO_MAX_PIXELS = 40_000_000


def photo_clean(data: bytes, *, max_side: int = PHOTO_MAX_SIDE) -> bytes:
    """The photo re-encoded as a JPEG of at most ``max_side`` pixels a side, upright,
    without its metadata (EXIF). Not a readable photo: a clear error on the file field."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8
            width, height = opened.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ApplicationError(
                    _("The photo has too many pixels: send it at a smaller size."),
                    extra={"field": "file"},
                )
            opened.load()
            upright = ImageOps.exif_transpose(opened).convert("RGB")
            upright.thumbnail((max_side, max_side))
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=82)  # no exif= given: none is written
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ApplicationError(
            _("The file is not a photo that can be read (JPEG or PNG)."), extra={"field": "file"}
        ) from error
    return out.getvalue()
