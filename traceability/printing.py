"""Print-ready A4 PDF sheets of QR labels for common sticker layouts.

QR codes are drawn as vector rectangles (one per horizontal run of dark modules), so
they stay sharp on any printer and the file stays small.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from traceability import qr

FONT, FONT_BOLD = "LabelSans", "LabelSans-Bold"


@dataclass(frozen=True)
class SheetLayout:
    name: str
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    left_mm: float
    top_mm: float
    gap_x_mm: float = 0
    gap_y_mm: float = 0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    "a4_2x7": SheetLayout(
        gettext_lazy("A4, 14 labels 99.1 × 38.1 mm"), 2, 7, 99.1, 38.1, 4.65, 15.15, gap_x_mm=2.5
    ),
    "a4_3x8": SheetLayout(gettext_lazy("A4, 24 labels 70 × 37 mm"), 3, 8, 70, 37, 0, 0.5),
    "a4_4x10": SheetLayout(
        gettext_lazy("A4, 40 labels 48.5 × 25.4 mm"), 4, 10, 48.5, 25.4, 8, 21.5
    ),
}
DEFAULT_LAYOUT = "a4_3x8"


@cache
def _register_fonts() -> None:
    # A TrueType font with Vietnamese glyphs: the PDF base fonts lack ư, ơ, ạ…
    pdfmetrics.registerFont(TTFont(FONT, settings.LABEL_FONT_PATH))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, settings.LABEL_FONT_BOLD_PATH))


@dataclass(frozen=True)
class LabelText:
    """What every label of a batch says beside its QR code."""

    product: str
    producer: str
    harvest: str
    certification: str

    @classmethod
    def for_batch(cls, batch) -> "LabelText":
        harvest = (
            _("Harvested %(date)s") % {"date": date_format(batch.harvest_date, "SHORT_DATE_FORMAT")}
            if batch.harvest_date
            else ""
        )
        certification = str(batch.certification) if batch.certification else ""
        return cls(batch.product.name, batch.producer.name, harvest, certification)


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    modules = qr.matrix(url)
    cell = size / len(modules)
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        top = y + size - (row_index + 1) * cell
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * cell, top, (col - start) * cell, cell)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def _draw_label(canvas, layout: SheetLayout, text: LabelText, url: str, serial: str, x, y):
    width, height = layout.width_mm * mm, layout.height_mm * mm
    pad = min(2.5 * mm, height * 0.08)
    qr_size = height - 2 * pad
    _draw_qr(canvas, url, x + pad, y + pad, qr_size)
    text_x = x + 2 * pad + qr_size
    text_width = width - qr_size - 3 * pad
    size = max(4.5, min(8.0, height / mm / 4.6))
    lines = [
        (FONT_BOLD, size * 1.15, text.product),
        (FONT, size, text.producer),
        (FONT, size, text.harvest),
        (FONT, size, text.certification),
        (FONT, size * 0.85, serial),
    ]
    line_y = y + height - pad - size * 1.15
    for font, font_size, line in lines:
        if line:
            canvas.setFont(font, font_size)
            canvas.drawString(text_x, line_y, _fit(line, font, font_size, text_width))
            line_y -= font_size * 1.3


def render_sheet(output, layout_key: str, text: LabelText, labels: list[tuple[str, str]]) -> int:
    """Write a PDF of ``labels`` ((url, serial) pairs) to ``output``; return page count."""
    _register_fonts()
    layout = LAYOUTS[layout_key]
    canvas = Canvas(output, pagesize=A4, pageCompression=1)
    canvas.setTitle(text.product)
    page_height = A4[1]
    for index, (url, serial) in enumerate(labels):
        slot = index % layout.per_page
        if index and slot == 0:
            canvas.showPage()
        column, row = slot % layout.columns, slot // layout.columns
        x = (layout.left_mm + column * (layout.width_mm + layout.gap_x_mm)) * mm
        y = (
            page_height
            - (layout.top_mm + (row + 1) * layout.height_mm + row * layout.gap_y_mm) * mm
        )
        _draw_label(canvas, layout, text, url, serial, x, y)
    pages = canvas.getPageNumber()
    canvas.save()
    return pages
