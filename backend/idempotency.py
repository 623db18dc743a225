"""Creates keyed by the app's UUID happen once, even when one request races a copy of
itself (a phone resending while its first attempt is still being applied).

The key is a unique column, so of two concurrent inserts PostgreSQL lets one through
and makes the other wait for it; when the first commits, the second fails on the key and
answers with what the first made. Operations that lock rows before writing must also
look for a finished copy once they hold the locks (``replay`` again), because by then the
copy may have committed and changed what the checks would see.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def once(replay: Callable[[], T | None], create: Callable[[], T]) -> T:
    """``replay()``'s result when the operation was already applied, else ``create()``'s,
    or, when a concurrent copy committed first, the copy's."""
    done = replay()
    if done is not None:
        return done
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        done = replay()  # a new statement: it sees the copy that won the race
        if done is None:
            raise
        return done
