"""Nightly housekeeping removes what can no longer be used, and nothing else."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import ApiSession, PhoneVerification
from accounts.tasks import clear_expired_sign_ins
from tests.mobile_api.conftest import token_for


def test_expired_sessions_codes_and_old_failures_go_live_ones_stay(owner, rf):
    now = timezone.now()
    token_for(owner, rf)
    token_for(owner, rf)
    expired = ApiSession.objects.first()
    ApiSession.objects.filter(pk=expired.pk).update(refresh_expires_at=now - timedelta(days=1))
    for age in (timedelta(days=-1), timedelta(days=1)):
        browser = SessionStore()
        browser.create()
        Session.objects.filter(pk=browser.session_key).update(expire_date=now - age)
    PhoneVerification.objects.create(phone="+84905111222", code_digest="x", expires_at=now)
    PhoneVerification.objects.create(
        phone="+84905111333", code_digest="y", expires_at=now + timedelta(minutes=10)
    )
    for hours in (0, 2):
        attempt = AccessAttempt.objects.create(
            username=f"+8490511144{hours}", ip_address="203.0.113.7", failures_since_start=1
        )
        attempt_time = now - timedelta(hours=hours)  # the field is set on creation
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt_time)

    removed = clear_expired_sign_ins()

    assert removed == {
        "app sessions": 1,
        "browser sessions": 1,
        "sign-up codes": 1,
        "login failures": 1,
    }
    assert ApiSession.objects.count() == 1 and Session.objects.count() == 1
    assert PhoneVerification.objects.get().phone == "+84905111333"
    assert AccessAttempt.objects.count() == 1
