"""Words of Django's admin that its Vietnamese catalogue lacks (or holds in a form the
templates do not ask for), marked here so that makemessages keeps them in ours, which
Django reads before its own. Nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

ADMIN_WORDS = [
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Skip to main content"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    ngettext_lazy("entry", "entries", 1),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
]
