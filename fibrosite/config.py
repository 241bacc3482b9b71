"""Turn environment URLs into Django settings, refusing anything malformed.

django-environ parses the URLs; this module adds the checks it leaves out (an
unknown scheme or a bad port is accepted by environ and would only fail later,
on the first request).
"""

from urllib.parse import urlsplit

import environ

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
CACHE_SCHEMES = {"redis", "rediss", "locmemcache", "dbcache", "filecache", "dummycache"}
MAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "memorymail", "dummymail"}


class ConfigError(Exception):
    def __init__(self, variable, problem):
        self.variable = variable
        super().__init__(f"{variable} {problem}")


def _port_of(variable, url):
    try:
        return urlsplit(url).port
    except ValueError:
        raise ConfigError(variable, f"has an invalid port: {url!r}") from None


def database_from_url(url, variable="DATABASE_URL"):
    if urlsplit(url).scheme not in DATABASE_SCHEMES:
        raise ConfigError(variable, f"must start with sqlite:// or postgres://, got {url!r}")
    _port_of(variable, url)
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for bad input
        raise ConfigError(variable, f"could not be parsed ({exc}): {url!r}") from None
    if not config.get("NAME"):
        raise ConfigError(variable, f"names no database: {url!r}")
    return config


def cache_from_url(url, variable="CACHE_URL"):
    scheme = urlsplit(url).scheme
    if scheme not in CACHE_SCHEMES:
        raise ConfigError(
            variable, f"must start with one of {', '.join(sorted(CACHE_SCHEMES))}, got {url!r}"
        )
    _port_of(variable, url)
    config = environ.Env.cache_url_config(url)
    if scheme.startswith("redis"):
        # Keep serving when Redis is down: cache misses instead of 500s, and
        # short timeouts so a dead Redis costs milliseconds, not seconds.
        config["OPTIONS"] = {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.25,
            "SOCKET_TIMEOUT": 0.25,
        }
    return config


def mailer_from_url(url, variable="EMAIL_URL"):
    """Build a Django 6.1 MAILERS entry from an email URL."""
    scheme = urlsplit(url).scheme
    if scheme not in MAIL_SCHEMES:
        raise ConfigError(
            variable, f"must start with one of {', '.join(sorted(MAIL_SCHEMES))}, got {url!r}"
        )
    _port_of(variable, url)
    parsed = environ.Env.email_url_config(url)
    mailer = {"BACKEND": parsed["EMAIL_BACKEND"]}
    if scheme.startswith("smtp"):
        mailer["OPTIONS"] = {
            "host": parsed["EMAIL_HOST"],
            "port": parsed["EMAIL_PORT"] or (465 if parsed.get("EMAIL_USE_SSL") else 587),
            "username": parsed["EMAIL_HOST_USER"] or None,
            "password": parsed["EMAIL_HOST_PASSWORD"] or None,
            "use_tls": bool(parsed.get("EMAIL_USE_TLS")),
            "use_ssl": bool(parsed.get("EMAIL_USE_SSL")),
            "timeout": 10,
        }
    return mailer


def boolean(value, variable):
    """Strict on/off parsing: a typo must not silently mean "off"."""
    normalised = str(value).strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"", "0", "false", "no", "off"}:
        return False
    raise ConfigError(variable, f"must be true or false, got {value!r}")


def site_url(url, variable="SITE_URL"):
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(variable, f"must be an absolute http(s) URL, got {url!r}")
    _port_of(variable, url)
    return url.rstrip("/")
