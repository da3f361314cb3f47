"""Media: which `media_file` URLs ClickSend can attach, and what an upload is once converted for MMS."""

from __future__ import annotations

from urllib.parse import urlsplit

MEDIA_EXTENSIONS = frozenset({"jpg", "jpeg", "gif", "png", "bmp"})

# (leading bytes, extension after conversion, content type). png and bmp are "converted" for MMS as ClickSend does
# (renamed to .jpg, not re-encoded: the sandbox never looks inside an image).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "jpg", "image/jpeg"),
    (b"BM", "jpg", "image/jpeg"),
)


def media_extension_ok(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        # e.g. "https://a]b/x.gif" ("Invalid IPv6 URL"): ClickSend could not fetch it either -> INVALID_MEDIA_FILE.
        return False
    return path.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS if "." in path.rsplit("/", 1)[-1] else False


def converted_kind(content: bytes) -> tuple[str, str] | None:
    """(extension, content type) of an uploaded image after conversion for MMS, or None for an unsupported file."""
    for magic, extension, content_type in _SIGNATURES:
        if content.startswith(magic):
            return extension, content_type
    return None
