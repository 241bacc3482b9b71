from django.conf import settings
from django.contrib.sitemaps import Sitemap


class SiteSitemap(Sitemap):
    """Absolute URLs follow SITE_URL's scheme, whatever the proxy in front says."""

    @property
    def protocol(self):
        return settings.SITE_URL.split("://")[0]
