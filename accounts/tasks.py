from celery import shared_task

from accounts import services
from backend.text_messages import send_text


@shared_task(autoretry_for=(Exception,), retry_backoff=10, retry_backoff_max=300, max_retries=5)
def send_text_message(phone: str, text: str) -> None:
    """One text message (a sign-up code…); a provider failure is retried a few times
    within the code's validity."""
    send_text(phone, text)


@shared_task
def clear_expired_sign_ins() -> dict[str, int]:
    """Nightly housekeeping of sessions, codes and old login failures."""
    return services.clear_expired()
