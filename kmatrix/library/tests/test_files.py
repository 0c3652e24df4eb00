"""Files: checked before they are kept, every version kept, text read in the background with
its status shown, and bad files (corrupt, encrypted, empty, mislabelled, too large, expanding
to gigabytes) refused or reported with a clear message, never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from kmatrix.core.access import ANONYMOUS, viewer_for
from kmatrix.library import files
from kmatrix.library.files_demo import docx_bytes, pdf_bytes, pptx_bytes
from kmatrix.library.models import FileVersion, ResourceFile
from kmatrix.library.search import search

SECTIONS = [("Heading", ["The quiet lounge opens at dusk."])]


def _xlsx() -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    book.active.append(["Ward", "Falls"])
    book.active.append(["Heron", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Secret", SECTIONS))))
    writer.encrypt("a-password")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _check(data: bytes, name: str) -> files.CheckedFile:
    return files.file_check(io.BytesIO(data), name, len(data))


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("notes.pdf", lambda: pdf_bytes("Notes", SECTIONS), "quiet lounge"),
        ("notes.docx", lambda: docx_bytes("Notes", SECTIONS), "quiet lounge"),
        ("deck.pptx", lambda: pptx_bytes("Deck", SECTIONS), "quiet lounge"),
        ("falls.xlsx", _xlsx, "Heron 3"),
        ("falls.csv", lambda: b"ward,falls\nHeron,3\n", "Heron,3"),
        ("notes.md", lambda: "# Notes\n\nCafé at dusk".encode(), "Café at dusk"),
        ("notes.txt", lambda: "Caf\xe9 in Windows-1252".encode("cp1252"), "Café"),
    ],
)
def test_the_text_of_each_type_is_read(name, make, words):
    data = make()
    checked = _check(data, name)
    assert words in files.text_extract(data, checked.file_type)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "empty"),
        ("report.docx", b"%PDF-1.4 a pdf in disguise", "contents are a PDF"),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", "unknown type"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected"),
        ("photo.png", b"GIF89a" + b"\x00" * 50, "a GIF image"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "unknown type"),
        ("archive.docx", _zip({"readme.txt": b"hello"}), "a zip archive"),
        ("page.html", b"<script>alert(1)</script>", "not accepted"),
        ("drawing.svg", b"<svg onload='alert(1)'/>", "not accepted"),
        ("program.exe", b"MZ", "not accepted"),
        ("no-extension", b"text", "not accepted"),
        ("notes.txt", b"text\x00with a NUL", "unknown type"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, data, message):
    with pytest.raises(ValidationError) as error:
        _check(data, name)
    assert message in " ".join(error.value.messages)


def test_an_office_file_that_would_expand_enormously_is_not_opened():
    # 20 MB of zeros compresses about a thousandfold: the ratio gives it away.
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * 20_000_000})
    with pytest.raises(ValidationError, match="expand"):
        _check(bomb, "bomb.docx")
    with pytest.raises(files.UnreadableFile):
        files.text_extract(bomb, "docx")


def test_the_total_uncompressed_size_is_limited(settings):
    settings.LIBRARY_MAX_UNCOMPRESSED_BYTES = 100_000
    big = _zip({"word/document.xml": bytes(range(256)) * 1000})
    with pytest.raises(ValidationError, match="limit of 0 MB"):
        _check(big, "big.docx")


def test_the_size_limit_is_a_setting(settings):
    settings.LIBRARY_MAX_FILE_BYTES = 1000
    with pytest.raises(ValidationError, match="larger than the limit"):
        _check(b"x" * 1001, "notes.txt")
    assert _check(b"x" * 1000, "notes.txt").size == 1000


def test_an_encrypted_office_part_is_refused():
    data = bytearray(_zip({"word/document.xml": b"<w:document/>"}))
    # Set the "encrypted" flag of the entry in the local header and the central directory.
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    with pytest.raises(ValidationError, match="password"):
        files.archive_check(bytes(data))


def test_an_encrypted_pdf_is_kept_and_reported():
    with pytest.raises(files.UnreadableFile) as problem:
        files.text_extract(_encrypted_pdf(), "pdf")
    assert problem.value.status == "encrypted"


def test_a_damaged_pdf_is_reported():
    with pytest.raises(files.UnreadableFile) as problem:
        files.text_extract(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "pdf")
    assert problem.value.status == "failed"
    assert "damaged" in problem.value.message


@pytest.fixture
def upload(library, django_capture_on_commit_callbacks):
    """Upload as the coordinator; the queued work (reading, indexing) runs on commit."""

    def send(data, name, path=None):
        client = library.world.client("coordinator")
        address = path or f"/library/{library['network'].pk}/files/new/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(address, {"upload": SimpleUploadedFile(name, data), "title": ""})

    return send


def test_an_upload_is_kept_read_and_found_by_search(library, upload):
    deck = pptx_bytes("Deck", [("Late shift", ["the lantern trolley idea"])])
    response = upload(deck, "deck.pptx")
    assert response.status_code == 302
    version = FileVersion.objects.get()
    assert version.extraction == "done"
    assert version.stored.name.startswith(f"library/{library['network'].pk}/")
    assert "deck" not in version.stored.name  # never the uploaded name on disk
    member = viewer_for(library.world.users["member"])
    assert search(member, '"lantern trolley"').total == 1
    assert search(ANONYMOUS, '"lantern trolley"').total == 0
    page = library.world.client("member").get(f"/library/{library['network'].pk}/")
    assert "Text read: search finds words inside it" in page.content.decode()


def test_every_version_is_kept_and_search_reads_the_latest(library, upload):
    upload(docx_bytes("v1", [("A", ["first wording: heronsbill"])]), "plan.docx")
    attached = ResourceFile.objects.get()
    path = f"/library/{library['network'].pk}/files/{attached.pk}/new/"
    second = docx_bytes("v2", [("A", ["second wording: kingfisher"])])
    assert upload(second, "plan-v2.docx", path=path).status_code == 302
    assert list(attached.versions.values_list("number", flat=True)) == [2, 1]
    coordinator = viewer_for(library.world.users["coordinator"])
    assert search(coordinator, "kingfisher").total == 1
    assert search(coordinator, "heronsbill").total == 0
    client = library.world.client("member")
    for number in (1, 2):
        response = client.get(
            f"/library/{library['network'].pk}/files/{attached.pk}/{number}/download/"
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"", "empty.pdf"), (b"%PDF-1.4 ...", "trick.docx"), (b"<html>", "page.html")],
)
def test_a_refused_upload_shows_the_form_again_and_keeps_nothing(library, upload, data, name):
    response = upload(data, name)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ResourceFile.objects.exists()
    assert not FileVersion.objects.exists()


def test_an_encrypted_pdf_upload_is_kept_with_its_status_shown(library, upload):
    assert upload(_encrypted_pdf(), "secret.pdf").status_code == 302
    version = FileVersion.objects.get()
    assert version.extraction == "encrypted"
    page = library.world.client("coordinator").get(f"/library/{library['network'].pk}/")
    assert "Protected by a password" in page.content.decode()


def test_an_image_has_no_text_to_read(library, upload):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert upload(png, "photo.png").status_code == 302
    assert FileVersion.objects.get().extraction == "not_text"
