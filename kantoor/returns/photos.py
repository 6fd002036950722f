"""Photos with a return: what the customer (or staff) may attach, checked by content, stored
through Django's storage API under a name of our own, and read back for staff and the customer.

A photo is a JPEG, PNG or WebP image (Pillow reads it: the name and the browser's content type
count for nothing), at most ``MAX_PHOTO_BYTES`` and ``MAX_PHOTO_PIXELS``; a return has at most
``MAX_PHOTOS``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kantoor.returns.errors import ReturnError

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000  # a 50-megapixel camera; more is no photo of a parcel
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CheckedPhoto:
    upload: object  # an UploadedFile
    content_type: str
    extension: str
    size: int


def check_photos(uploads) -> list[CheckedPhoto]:
    """The uploads as photos, or a ReturnError (field ``photos``) naming the file refused."""
    uploads = list(uploads or ())
    if len(uploads) > MAX_PHOTOS:
        raise ReturnError(
            _("Add at most %(count)d photos.") % {"count": MAX_PHOTOS}, field="photos"
        )
    return [_check_photo(upload) for upload in uploads]


def _check_photo(upload) -> CheckedPhoto:
    name = getattr(upload, "name", "") or _("the photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ReturnError(
            _("%(name)s is larger than %(max)d MB.")
            % {"name": name, "max": MAX_PHOTO_BYTES // (1024 * 1024)},
            field="photos",
        )
    not_a_photo = ReturnError(
        _("%(name)s is not a photo: add a JPEG, PNG or WebP image.") % {"name": name},
        field="photos",
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if kind in PHOTO_FORMATS and width * height <= MAX_PHOTO_PIXELS:
                image.verify()  # the whole file, not only its header
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise not_a_photo
    if width * height > MAX_PHOTO_PIXELS:
        raise ReturnError(
            _("%(name)s has more pixels than a photo needs: make it smaller.") % {"name": name},
            field="photos",
        )
    content_type, extension = PHOTO_FORMATS[kind]
    return CheckedPhoto(
        upload=upload, content_type=content_type, extension=extension, size=upload.size
    )


def store_photo(*, shop_id: int, return_id: int, photo: CheckedPhoto) -> str:
    """Save the file under a random name of ours; returns the storage name."""
    name = f"returns/{shop_id}/{return_id}/{secrets.token_urlsafe(12)}.{photo.extension}"
    return default_storage.save(name, photo.upload)


def delete_stored(names) -> None:
    for name in names:
        default_storage.delete(name)


def photo_response(photo) -> FileResponse:
    """The photo as an image response that the browser never takes for anything else."""
    response = FileResponse(default_storage.open(photo.file), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
