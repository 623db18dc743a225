"""The market network's admin, one module per topic."""

from marketplace.admin import equipment, prices, trade  # noqa: F401 (registers the admins)
