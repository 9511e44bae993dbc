"""Real-browser journey: an editor publishes a document with a PDF; a reader finds it in
the library and downloads the file."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from minehub.core.testing import PASSWORD
from minehub.library.models import Document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists("/usr/bin/chromium") and shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


def small_pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


@pytest.mark.django_db(transaction=True)
def test_an_editor_publishes_a_pdf_and_a_reader_downloads_it(
    page: object, live_server: object, personas: object, tmp_path: object
) -> None:
    base = live_server.url
    personas["editor"]  # noqa: B018 - creates the editor persona and their organisation
    pdf_path = tmp_path / "retort-guide.pdf"
    pdf_path.write_bytes(small_pdf("Use a retort to recover mercury."))

    page.goto(f"{base}/en/accounts/login/?next=/en/edit/document/new/")
    page.get_by_label("Email:").fill("editor@personas.test")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/edit/document/new/"))

    page.get_by_label("Title").fill("Retort guide for small-scale miners")
    page.get_by_label("Type").select_option("guideline")
    page.get_by_label("Language of the content").select_option("en")
    page.locator("textarea[name=body]").fill("## Why\n\nA **retort** keeps mercury out of the air.")
    # The live preview renders the Markdown while typing.
    page.locator("#markdown-preview strong").wait_for()
    assert page.locator("#markdown-preview strong").inner_text() == "retort"
    page.get_by_label("Attach files").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/edit/document/\d+/$"))
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url(re.compile(r"/edit/document/\d+/$"))
    assert Document.objects.get().status == "published"

    reader = page.context.browser.new_context().new_page()
    reader.goto(f"{base}/en/library/")
    reader.get_by_role("link", name="Retort guide for small-scale miners").click()
    assert reader.get_by_role("heading", name="Retort guide for small-scale miners").is_visible()
    with reader.expect_download() as download_info:
        reader.get_by_role("link", name=re.compile("retort-guide.pdf")).click()
    download = download_info.value
    assert download.suggested_filename == "retort-guide.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(4) == b"%PDF"
