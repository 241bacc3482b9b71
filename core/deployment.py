"""What a deployment needs that Django does not do by itself.

- `migrate` also creates the database cache's table (the production default without
  Redis), so `migrate` and `collectstatic` alone make a working site.
- `check --deploy` warns when the settings say a proxy is in front (an https SITE_URL
  trusts the proxy's X-Forwarded-Proto) but TRUSTED_PROXY_COUNT is 0: then every visitor
  has the proxy's address, and one stranger's failed sign-ins or form posts lock out and
  rate-limit everyone.
"""

from django.conf import settings
from django.core import checks
from django.core.management import call_command

PROXY_WITHOUT_CLIENT_ADDRESS = "fibrosite.W001"


def create_cache_tables(using="default", verbosity=1, **kwargs):
    """post_migrate: make every configured database cache table (a no-op when it exists)."""
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxy(app_configs=None, **kwargs):
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and settings.TRUSTED_PROXY_COUNT == 0:
        return [
            checks.Warning(
                "SECURE_PROXY_SSL_HEADER trusts a proxy in front of the site (an https "
                "SITE_URL sets it), but TRUSTED_PROXY_COUNT is 0, so every visitor has the "
                "proxy's address: one stranger's wrong passwords or form posts lock out and "
                "rate-limit everyone.",
                hint="Set TRUSTED_PROXY_COUNT=1 behind the shipped nginx front "
                "(deploy/nginx.conf sets X-Forwarded-For); one more for each proxy or CDN "
                "in front of it that appends to X-Forwarded-For.",
                id=PROXY_WITHOUT_CLIENT_ADDRESS,
            )
        ]
    return []
