"""Per-client rate limits kept in the shared cache (Redis in production).

Fixed windows: the first hit in a window creates a counter that expires with
the window, later hits increment it. If the cache is down the limit fails open:
a form that keeps working matters more than a perfect count.
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger("fibrosite.core.ratelimit")


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


def client_network(request):
    """The client as limits count it: an IPv6 client is its /64 (one home or server has a
    whole /64 and can use any address in it); IPv4, as it is."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return address


def over_limit(request, scope):
    """Count this request against `scope`; True when the client is over the limit."""
    limit, period = settings.COMMUNITY_RATE_LIMITS[scope]
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_network(request)}:{window}"
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
