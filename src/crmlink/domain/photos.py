"""Record photos: which modules have one, and what counts as an image (by content, never by
file name): PNG, JPEG, GIF or BMP, at most 10 MB and 10 megapixels (spec §9)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crmlink.domain.catalog import ModuleDef
from crmlink.errors import FileTooLarge, InvalidData, InvalidModule

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 10_000_000
BAD_IMAGE = "The image format is invalid."
# Zoho: Leads, Contacts, Accounts, Products, Vendors and custom modules; Deals upload only.
PHOTO_MODULES = frozenset({"Leads", "Contacts", "Accounts", "Products", "Vendors"})
UPLOAD_ONLY = frozenset({"Deals"})


@dataclass(frozen=True, slots=True)
class Image:
    media_type: str
    width: int
    height: int


def check_module(module: ModuleDef, *, uploading: bool) -> None:
    if module.api_name in PHOTO_MODULES or (uploading and module.api_name in UPLOAD_ONLY):
        return
    raise InvalidModule(details={"resource_path_index": 0})


def _jpeg_size(f: BinaryIO) -> tuple[int, int] | None:
    """Width and height from the first SOF segment (walking the segment headers only)."""
    f.seek(2)
    while True:
        marker = f.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind == 0xFF:  # fill byte
            f.seek(-1, 1)
            continue
        if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
            continue  # markers without a length
        length_raw = f.read(2)
        if len(length_raw) < 2:
            return None
        (length,) = struct.unpack(">H", length_raw)
        if 0xC0 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):
            data = f.read(5)
            if len(data) < 5:
                return None
            height, width = struct.unpack(">xHH", data)
            return width, height
        if length < 2:
            return None
        f.seek(length - 2, 1)


def sniff(path: Path) -> Image | None:
    """The image type and size from the bytes themselves; None when not a supported image."""
    with open(path, "rb") as f:
        head = f.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            width, height = struct.unpack(">II", head[16:24])
            return Image("image/png", width, height)
        if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
            width, height = struct.unpack("<HH", head[6:10])
            return Image("image/gif", width, height)
        if head[:2] == b"BM" and len(head) >= 26:
            width, height = struct.unpack("<ii", head[18:26])
            return Image("image/bmp", abs(width), abs(height))
        if head[:3] == b"\xff\xd8\xff":
            size = _jpeg_size(f)
            return Image("image/jpeg", *size) if size else None
    return None


def check_image(path: Path, size: int) -> Image:
    """The uploaded file must be a PNG, JPEG, GIF or BMP by content, within Zoho's limits."""
    if size > MAX_PHOTO_BYTES:
        raise FileTooLarge()
    image = sniff(path) if size else None
    if image is None or image.width <= 0 or image.height <= 0:
        raise InvalidData(BAD_IMAGE, {"param_name": "file"})
    if image.width * image.height > MAX_PIXELS:
        raise FileTooLarge()
    return image
