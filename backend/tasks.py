"""Queueing Celery work from services by task name, so that services never import
their tasks modules (the tasks import the services)."""

from functools import cache

from celery import current_app
from django.db import transaction
from django.utils.module_loading import autodiscover_modules


@cache
def _discover_tasks() -> None:
    """Import every installed app's tasks module once, so their tasks are registered
    in this process (a worker does it at start; a web process on first use)."""
    autodiscover_modules("tasks")


def _signature(task_name: str):
    """The task by name; a name no app registers is our mistake, said at once (Celery
    would otherwise send it to the broker for no worker to run)."""
    _discover_tasks()
    if task_name not in current_app.tasks:
        raise LookupError(f"No Celery task is named {task_name!r}")
    return current_app.signature(task_name)


def queue(task_name: str, *args) -> None:
    """Run ``task_name(*args)`` now: on a worker, or in-process when no broker is
    configured (for work that does not depend on this transaction's writes)."""
    _signature(task_name).apply_async(args)


def queue_after_commit(task_name: str, *args, robust: bool = True) -> None:
    """Run ``task_name(*args)`` once the current transaction commits (at once outside
    one); eagerly in-process when no broker is configured. ``robust``: a broker that is
    down is logged and does not fail the request that queued the work."""
    signature = _signature(task_name)
    transaction.on_commit(lambda: signature.apply_async(args), robust=robust)
