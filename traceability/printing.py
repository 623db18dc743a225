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
from reportlab.lib.utils import simpleSplit
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
    """The code with its quiet zone in the ``size`` square at (x, y): one rectangle per
    horizontal run of dark modules."""
    modules = qr.matrix(url)
    cell = size / (len(modules) + 2 * qr.QUIET_ZONE)
    left, top = x + qr.QUIET_ZONE * cell, y + size - qr.QUIET_ZONE * cell
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        bottom = top - (row_index + 1) * cell
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(left + start * cell, bottom, (col - start) * cell, cell)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


MAX_TEXT_POINTS = 8.0
# The smallest type a label uses: about 0.9 mm x-height, what small packages may print.
MIN_TEXT_POINTS = 5.0
LEADING = 1.2
GAP = 0.8 * mm  # between the code's quiet zone and the text


class LabelTextTooLong(ValueError):
    """The product, producer and harvest date cannot be read whole on this layout."""


def _broken(word: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than the column, cut between characters (never dropped)."""
    pieces, current = [], ""
    for char in word:
        if current and pdfmetrics.stringWidth(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current]


def _wrapped(lines: list[tuple[bool, float, str]], size: float, width: float):
    """Each line as (font, font size, its text wrapped to ``width``)."""
    wrapped = []
    for bold, scale, text in lines:
        font, font_size = (FONT_BOLD if bold else FONT), size * scale
        parts = []
        for part in simpleSplit(text, font, font_size, width):
            if pdfmetrics.stringWidth(part, font, font_size) > width:
                parts += _broken(part, font, font_size, width)
            else:
                parts.append(part)
        wrapped.append((font, font_size, parts))
    return wrapped


def _height(wrapped) -> float:
    return sum(font_size * LEADING * len(parts) for _font, font_size, parts in wrapped)


@dataclass(frozen=True)
class _FittedText:
    lines: list  # (font, font size, wrapped parts): product, producer, harvest, certificate
    serial_size: float | None  # the serial's font size, None when it gave way


def _fitted_text(text: LabelText, serial_sample: str, width: float, height: float):
    """The label's lines, wrapped and at the largest size that fits: never cut. When
    even the smallest legible size cannot hold them all, the serial (also in the code)
    and then the certificate's name give way; product, producer and harvest date stay,
    or ``LabelTextTooLong`` says that they cannot. ``serial_sample`` is as wide as any
    serial of the sheet: one fit serves every label."""
    serial = (False, 0.85, serial_sample)
    lines = [
        (True, 1.15, text.product),
        (False, 1.0, text.producer),
        (False, 1.0, text.harvest),
        (False, 1.0, text.certification),
        serial,
    ]
    lines = [line for line in lines if line[2]]
    essential = 3 if text.harvest else 2
    while True:
        size = MAX_TEXT_POINTS
        while size >= MIN_TEXT_POINTS:
            wrapped = _wrapped(lines, size, width)
            if _height(wrapped) <= height:
                if lines[-1] is serial:
                    return _FittedText(wrapped[:-1], wrapped[-1][1])
                return _FittedText(wrapped, None)
            size -= 0.25
        if len(lines) <= essential:
            raise LabelTextTooLong(text.product)
        lines = lines[:-1]


@dataclass(frozen=True)
class _Geometry:
    edge: float  # what a sticker's die-cut may shift
    qr_size: float  # the code with its quiet zone, a square
    text_width: float
    text_height: float


def _geometry(layout: SheetLayout) -> _Geometry:
    width, height = layout.width_mm * mm, layout.height_mm * mm
    edge = min(1.5 * mm, height * 0.05)
    qr_size = height - 2 * edge
    return _Geometry(edge, qr_size, width - qr_size - 2 * edge - GAP, height - 2 * edge)


def _serial_sample(serials) -> str:
    return "W" * max(map(len, serials), default=0)  # W: the widest letter a serial uses


def text_fits(layout_key: str, text: LabelText) -> bool:
    """Whether the product, producer and harvest date can be read whole on the layout."""
    _register_fonts()
    box = _geometry(LAYOUTS[layout_key])
    try:
        _fitted_text(text, "", box.text_width, box.text_height)
    except LabelTextTooLong:
        return False
    return True


def _draw_label(canvas, layout: SheetLayout, fitted: _FittedText, url: str, serial: str, x, y):
    box = _geometry(layout)
    _draw_qr(canvas, url, x + box.edge, y + box.edge, box.qr_size)  # quiet zone inside
    text_x = x + box.edge + box.qr_size + GAP  # a little beyond the quiet zone, for bleed
    lines = fitted.lines
    if fitted.serial_size:
        lines = [*lines, (FONT, fitted.serial_size, [serial])]
    line_y = y + layout.height_mm * mm - box.edge
    for font, font_size, parts in lines:
        canvas.setFont(font, font_size)
        for part in parts:
            line_y -= font_size * LEADING
            canvas.drawString(text_x, line_y + font_size * (LEADING - 1), part)


def render_sheet(output, layout_key: str, text: LabelText, labels: list[tuple[str, str]]) -> int:
    """Write a PDF of ``labels`` ((url, serial) pairs) to ``output``; return page count."""
    _register_fonts()
    layout = LAYOUTS[layout_key]
    canvas = Canvas(output, pagesize=A4, pageCompression=1)
    canvas.setTitle(text.product)
    box = _geometry(layout)
    sample = _serial_sample(serial for _url, serial in labels)
    fitted = _fitted_text(text, sample, box.text_width, box.text_height)
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
        _draw_label(canvas, layout, fitted, url, serial, x, y)
    pages = canvas.getPageNumber()
    canvas.save()
    return pages
