"""Labels per second into a print-ready PDF sheet of 1,000 labels, beside the speed of
encoding the bare QR codes (ISO mask selection included) that the sheet draws."""

import time

from bench.common import harvested_batch, setup

LABELS = 1000


def main() -> None:
    setup()
    from traceability import qr
    from traceability.models import LabelSheet
    from traceability.services.labels import build_sheet, order_label_sheet

    owner, batch = harvested_batch(1, 100, gtin="4006381333931")
    urls = [f"https://truyxuat.example.vn/01/04006381333931/10/L1/21/S{n:08d}" for n in range(1000)]
    start = time.perf_counter()
    for url in urls:
        qr.matrix(url)
    print(f"Bare QR codes: {LABELS / (time.perf_counter() - start):.0f} codes/s")
    for layout in ("a4_3x8", "a4_4x10"):
        start = time.perf_counter()
        sheet = order_label_sheet(owner, batch, LABELS, layout)  # Celery eager: builds the PDF
        total = time.perf_counter() - start
        sheet.refresh_from_db()
        size = sheet.file.size
        LabelSheet.objects.filter(pk=sheet.pk).update(status=LabelSheet.Status.PENDING)
        start = time.perf_counter()
        build_sheet(sheet.pk)
        render = time.perf_counter() - start
        print(
            f"{LABELS} labels, {layout}: {LABELS / render:.0f} labels/s drawing the PDF "
            f"({render:.2f} s), {LABELS / total:.0f} labels/s ordering end to end "
            f"({total:.2f} s), {size / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
