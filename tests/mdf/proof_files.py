"""Files for the proof-file tests, built in memory, and a private storage directory per test."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import PROOF_PDF


def pdf(name="invoice.pdf", content=PROOF_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="booth.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def xlsx(name="attendees.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def upload(name: str, content: bytes, content_type="application/pdf") -> SimpleUploadedFile:
    """A file whose name and claimed type say whatever the sender wants."""
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def proof_dir(settings, tmp_path) -> Path:
    """The "proofs" storage in this test's own temporary directory."""
    location = tmp_path / "proofs"
    settings.STORAGES = {
        **settings.STORAGES,
        "proofs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return sorted(path for path in location.rglob("*") if path.is_file()) if location.exists() else []
