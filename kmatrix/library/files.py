"""Uploaded files: checked before they are kept, and their text read without trusting them.

``file_check`` runs while the upload waits: size, an allowed extension, the contents sniffed
against that extension, and for Office files (zip archives) the sizes and compression ratios
of their parts read from the archive's directory before anything is decompressed, so a file
that would expand to gigabytes is refused unopened. ``text_extract`` runs in the background
task and checks the archive again before parsing. Files are never run or rendered by us:
they are served back as attachments (see views_files.py).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 2_000
MAX_SHEET_CELLS = 1_000_000
MAX_ZIP_MEMBERS = 10_000
RATIO_CHECK_FROM = 1024 * 1024  # small parts compress well and harmlessly
SNIFF_BYTES = 64 * 1024

TYPES: dict[str, tuple[str, str]] = {
    # extension: (our type, content type served)
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv", "text/csv"),
    "txt": ("txt", "text/plain"),
    "md": ("md", "text/markdown"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(TYPES.values())
TEXT_TYPES = {"csv", "txt", "md"}
IMAGE_TYPES = {"png", "jpeg", "gif", "webp"}
OFFICE_PARTS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}
LABELS = {
    "pdf": "a PDF", "docx": "a Word document", "pptx": "a PowerPoint deck",
    "xlsx": "an Excel workbook", "text": "plain text", "png": "a PNG image",
    "jpeg": "a JPEG image", "gif": "a GIF image", "webp": "a WebP image",
    "ole": "a password-protected or old-format Office file (.doc, .xls, .ppt)",
    "zip": "a zip archive", "unknown": "a file of an unknown type",
}  # fmt: skip
ALLOWED_HINT = (
    "Upload a PDF, Word (.docx), PowerPoint (.pptx) or Excel (.xlsx) file, a CSV, text or "
    "Markdown file, or a PNG, JPEG, GIF or WebP image."
)


class UnreadableFile(Exception):
    """The text of a file could not be read; ``status`` says why (encrypted, failed)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    file_type: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def file_check(upload: IO[bytes], name: str, size: int | None) -> CheckedFile:
    """Check an upload; a ``ValidationError`` says plainly what is wrong with it."""
    limit = settings.LIBRARY_MAX_FILE_BYTES
    if size is not None and size > limit:
        raise ValidationError(f"The file is larger than the limit of {limit // 2**20:,} MB.")
    ext = extension(name)
    if ext not in TYPES:
        raise ValidationError(
            f"Files ending .{ext or '(nothing)'} are not accepted. {ALLOWED_HINT}"
        )
    data = _read_all(upload, limit)
    if not data:
        raise ValidationError("The file is empty.")
    expected = TYPES[ext][0]
    found = sniff(data)
    wanted = "text" if expected in TEXT_TYPES else expected
    if found != wanted:
        raise ValidationError(
            f"The file is named .{ext} but its contents are {LABELS.get(found, found)}. "
            "Check that it is the file you meant, saved in that format."
        )
    if expected in OFFICE_PARTS:
        archive_check(data)
    return CheckedFile(expected, len(data), hashlib.sha256(data).hexdigest())


def _read_all(upload: IO[bytes], limit: int) -> bytes:
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError(f"The file is larger than the limit of {limit // 2**20:,} MB.")
    return data


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the file is called."""
    head = data[:16]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return "text" if _is_text(data[:SNIFF_BYTES]) else "unknown"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "unknown"
    for kind, part in OFFICE_PARTS.items():
        if part in names:
            return kind
    return "zip"


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still text.
        if error.start >= len(sample) - 3:
            return True
    # Older files in Windows-1252: text if no control characters but tab and line breaks.
    return not any(byte < 0x20 and byte not in (9, 10, 12, 13) for byte in sample)


def archive_check(data: bytes) -> None:
    """Refuse an Office file whose parts would expand too far, before opening any part."""
    max_total = settings.LIBRARY_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.LIBRARY_MAX_COMPRESSION_RATIO
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError("The file is damaged: it cannot be opened.") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValidationError("The file has too many parts to be a real document.")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ValidationError("The file is protected by a password: save it without one.")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECK_FROM and ratio > max_ratio:
            raise ValidationError(
                "The file would expand to far more than its size when opened, as files made "
                "to attack servers do. It was not opened."
            )
    if total > max_total:
        raise ValidationError(
            f"The file would expand to {total // 2**20:,} MB when opened, more than the "
            f"limit of {max_total // 2**20:,} MB. It was not opened."
        )


# --- Reading the text (in the background task) -------------------------------------------


def text_extract(data: bytes, file_type: str) -> str:
    """The file's text; ``UnreadableFile`` when it is protected or damaged."""
    if file_type in OFFICE_PARTS:
        try:
            archive_check(data)
        except ValidationError as error:
            raise UnreadableFile("failed", " ".join(error.messages)) from None
    reader = _READERS.get(file_type)
    if reader is None:
        return ""
    try:
        return reader(data)[:MAX_TEXT_CHARS]
    except UnreadableFile:
        raise
    except Exception as error:  # any parser's own failure on a damaged file
        raise UnreadableFile(
            "failed",
            f"The file seems damaged, so its text could not be read ({type(error).__name__}).",
        ) from None


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile("encrypted", "The PDF is protected by a password.")
    parts: list[str] = []
    size = 0
    try:
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size > MAX_TEXT_CHARS:
                break
    except FileNotDecryptedError:
        raise UnreadableFile("encrypted", "The PDF is protected by a password.") from None
    return "\n".join(parts)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p)


def _pptx(data: bytes) -> str:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    parts: list[str] = []
    for slide in deck.slides:
        for shape in slide.shapes:
            parts += _shape_text(shape)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(p for p in parts if p)


def _shape_text(shape: Any) -> list[str]:
    if getattr(shape, "has_text_frame", False):
        return [shape.text_frame.text]
    if getattr(shape, "has_table", False):
        return [" | ".join(c.text for c in row.cells) for row in shape.table.rows]
    if hasattr(shape, "shapes"):  # a group
        return [t for inner in shape.shapes for t in _shape_text(inner)]
    return []


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts: list[str] = []
    cells = 0
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            values = [str(v) for v in row if v is not None]
            cells += len(row)
            if values:
                parts.append(" ".join(values))
            if cells > MAX_SHEET_CELLS:
                workbook.close()
                return "\n".join(parts)
    workbook.close()
    return "\n".join(parts)


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


_READERS: dict[str, Callable[[bytes], str]] = {
    "pdf": _pdf,
    "docx": _docx,
    "pptx": _pptx,
    "xlsx": _xlsx,
    "csv": _text,
    "txt": _text,
    "md": _text,
}
