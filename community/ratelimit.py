"""Per-client rate limits kept in the shared cache (Redis in production).

Fixed windows: the first hit in a window creates a counter that expires with
the window, later hits increment it. If the cache is down the limit fails open:
a form that keeps working matters more than a perfect count.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger("fibrosite.community.ratelimit")


def client_ip(request):
    """REMOTE_ADDR, or the address the trusted proxies saw when TRUSTED_PROXY_COUNT is set."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def over_limit(request, scope):
    """Count this request against `scope`; True when the client is over the limit."""
    limit, period = settings.COMMUNITY_RATE_LIMITS[scope]
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        count = cache.incr(key)
    except Exception:
        logger.warning("Rate limit cache unavailable; allowing the request.", exc_info=True)
        return False
    return isinstance(count, int) and count > limit


def too_many_requests(request, scope):
    _, period = settings.COMMUNITY_RATE_LIMITS[scope]
    response = render(request, "429.html", {"retry_minutes": max(1, period // 60)}, status=429)
    response["Retry-After"] = str(period)
    return response
