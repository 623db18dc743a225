"""Signals other apps listen to, so the traceability core does not depend on them."""

from django.dispatch import Signal

# Sent inside the recall's transaction with ``batches``, every lot it recalled, and
# ``recall``, the recalled lot's recall event (for notices: services.recall_notices).
batches_recalled = Signal()
# Sent inside the transaction that put ``batches`` on hold (see services.holds).
batches_held = Signal()
