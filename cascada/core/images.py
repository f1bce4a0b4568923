"""Photos kept by Cascada (a community action's photos, a milestone's evidence): re-encoded
as JPEG without their metadata, so that a phone's GPS position or its owner's name never
reaches the storage (docs/security.md)."""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

PHOTO_MAX_SIDE = 1600


def photo_clean(data: bytes, *, max_side: int = PHOTO_MAX_SIDE) -> bytes:
    """The photo re-encoded as a JPEG of at most ``max_side`` pixels a side, upright,
    without its metadata (EXIF). Not a readable photo: a clear error on the file field."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
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
