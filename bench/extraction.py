"""Text extraction throughput for PDFs, in pages per second (DESIGN.md, "Budgets").

Extracts a generated 200-page text PDF several times and, when Tesseract is installed, a
few scanned pages through OCR; prints the median and the best run. Figures are printed,
never asserted. ``run()`` returns the lines; ``python -m bench.extraction`` prints them.
"""

from __future__ import annotations

import io
import statistics
import time

from bench.environment import ensure_django

TEXT_PAGES = 200
TEXT_RUNS = 5
SCANNED_PAGES = 3
OCR_RUNS = 3


def _pages_per_second(data: bytes, pages: int, runs: int) -> tuple[float, float]:
    from minehub.library.extract import extract_pdf

    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        result = extract_pdf(io.BytesIO(data), lambda percent: None)
        elapsed = time.perf_counter() - start
        assert result.pages == pages and result.text
        rates.append(pages / elapsed)
    return statistics.median(rates), max(rates)


def run() -> list[str]:
    """Measures PDF text extraction; returns the lines to print."""
    ensure_django()
    from minehub.library.extract import ocr_setup
    from minehub.library.tests import filemakers

    page_text = "\n".join([filemakers.ENGLISH, filemakers.RUSSIAN, filemakers.MONGOLIAN] * 12)
    text_pdf = filemakers.text_pdf(page_text, count=TEXT_PAGES)
    median, best = _pages_per_second(text_pdf, TEXT_PAGES, TEXT_RUNS)
    lines = [
        f"PDF text extraction ({TEXT_PAGES} text pages, {TEXT_RUNS} runs): "
        f"median {median:.0f} pages/s, best {best:.0f} pages/s"
    ]
    setup = ocr_setup()
    if setup is None:
        lines.append("PDF OCR: skipped (Tesseract is not installed)")
        return lines
    # 24 lines of 36 px text fill an A4 page scanned at 150 dpi (1240×1750 pixels).
    languages = [filemakers.ENGLISH, filemakers.RUSSIAN, filemakers.MONGOLIAN, filemakers.KYRGYZ]
    scanned = filemakers.scanned_pdf(languages * 6, pages=SCANNED_PAGES)
    median, best = _pages_per_second(scanned, SCANNED_PAGES, OCR_RUNS)
    lines.append(
        f"PDF OCR ({SCANNED_PAGES} scanned A4 pages at 150 dpi, -l {setup[1]}, {OCR_RUNS} runs): "
        f"median {median:.2f} pages/s, best {best:.2f} pages/s"
    )
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
