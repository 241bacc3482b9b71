"""Admin sign-in limits: django-axes, plus limits per username and per address.

Axes pauses one username from one address after AXES_FAILURE_LIMIT wrong passwords.
That alone lets many addresses guess one username, and one address guess many
usernames. So wrong passwords are also counted, in the shared cache, per username from
everywhere (ADMIN_USERNAME_FAILURE_LIMIT an hour) and per address (an IPv6 /64) for any
username (ADMIN_ADDRESS_FAILURE_LIMIT an hour). Past a limit, each further wrong
password makes that username (or address) wait before the next try: 15 s, then 30 s,
1 min ... up to ADMIN_LOGIN_MAX_DELAY seconds. Guessing slows to a crawl, yet a stranger
can never lock an editor out for longer than that maximum after their last try (a long
hard lock would hand them exactly that). Tries refused during a wait check no password
and are not counted.
"""

import hashlib
import logging
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from core.ratelimit import client_network

logger = logging.getLogger("fibrosite")

WINDOW = 3600


def _subjects(request, credentials):
    """(cache key part, limit) for each thing counted for this sign-in attempt."""
    username = get_client_username(request, credentials)
    subjects = [(f"address:{client_network(request)}", settings.ADMIN_ADDRESS_FAILURE_LIMIT)]
    if username:
        subjects.append((f"user:{username.casefold()}", settings.ADMIN_USERNAME_FAILURE_LIMIT))
    return [
        (hashlib.sha256(subject.encode()).hexdigest()[:32], limit) for subject, limit in subjects
    ]


def wait_seconds(request, credentials):
    """Seconds before this username, from this address, may try again (0: now)."""
    now = time.time()
    try:
        untils = cache.get_many(
            [f"signin:until:{key}" for key, _ in _subjects(request, credentials)]
        )
    except Exception:
        logger.warning("Sign-in limit cache unavailable; not delaying.", exc_info=True)
        return 0
    return max((int(until - now) + 1 for until in untils.values() if until > now), default=0)


def record_failure(request, credentials):
    """Count a wrong password; the seconds it makes the next try wait (0: none)."""
    wait = 0
    try:
        for key, limit in _subjects(request, credentials):
            cache.add(f"signin:failures:{key}", 0, timeout=WINDOW)
            over = cache.incr(f"signin:failures:{key}") - limit
            if over >= 0:
                delay = min(
                    settings.ADMIN_LOGIN_MAX_DELAY, settings.ADMIN_LOGIN_FIRST_DELAY * 2**over
                )
                cache.set(f"signin:until:{key}", time.time() + delay, timeout=delay + 1)
                wait = max(wait, delay + 1)
    except Exception:
        logger.warning("Sign-in limit cache unavailable; failure not counted.", exc_info=True)
    return wait


class SigninHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        wait = wait_seconds(request, credentials)
        if wait:
            request.signin_wait = wait
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and getattr(request, "signin_wait", 0):
            # Refused before the password was checked: shown the pause page, not counted.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            wait = record_failure(request, credentials)
            if wait:
                request.signin_wait = wait
                request.axes_locked_out = True
                request.axes_credentials = credentials


def lockout_response(request, original_response=None, credentials=None):
    wait = getattr(request, "signin_wait", 0) or int(get_cool_off(request).total_seconds())
    minutes = -(-wait // 60)
    response = render(
        request,
        "lockout.html",
        {"wait": f"{minutes} minute{'s' if minutes != 1 else ''}" if wait > 60 else "a minute"},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
