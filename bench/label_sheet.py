"""Labels per second into a print-ready PDF sheet of 1,000 labels."""

import time

from bench.common import setup

LABELS = 1000


def main() -> None:
    setup()
    from tests.factories import (
        PlotFactory,
        ProducerFactory,
        ProductFactory,
        UserFactory,
        kg,
        member,
        moment,
    )
    from traceability.models import LabelSheet
    from traceability.services.batches import create_batch
    from traceability.services.labels import build_sheet, order_label_sheet

    coop = ProducerFactory()
    owner = member(UserFactory(), coop)
    batch = create_batch(
        owner,
        producer=coop,
        product=ProductFactory(gtin="4006381333931"),
        plots=[PlotFactory(producer=coop)],
        harvested_at=moment(1),
        quantity=kg(100),
    )
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
