"""Turn environment URLs into Django settings, refusing anything malformed.

django-environ parses the URLs; this module adds the checks it leaves out (an
unknown scheme or a bad port is accepted by environ and would only fail later,
on the first request).
"""

from urllib.parse import parse_qsl, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
CACHE_SCHEMES = {"redis", "rediss", "locmemcache", "dbcache", "filecache", "dummycache"}
MAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "memorymail", "dummymail"}


class ConfigError(ImproperlyConfigured):
    """A setting from the environment that can't be used; manage.py prints it as one line."""

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


MEDIA_STORAGE_OPTIONS = {"endpoint_url", "region_name", "custom_domain", "location"}


def media_storage_from_url(url, variable="MEDIA_STORAGE_URL"):
    """(STORAGES["default"], MEDIA_URL) for local disk (empty url) or an S3-compatible bucket.

    `s3://BUCKET?endpoint_url=URL&region_name=REGION` with optional `custom_domain` (a CDN
    in front of the bucket) and `location` (a folder inside it). Credentials come from
    the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, read by boto3.
    """
    if not url:
        return {"BACKEND": "core.storage.MediaStorage"}, "/media/"
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(variable, f"must look like s3://BUCKET?endpoint_url=…, got {url!r}")
    try:
        query = dict(parse_qsl(parts.query, strict_parsing=bool(parts.query)))
    except ValueError:
        raise ConfigError(variable, f"has a malformed query string: {url!r}") from None
    unknown = set(query) - MEDIA_STORAGE_OPTIONS
    if unknown:
        raise ConfigError(
            variable,
            f"has unknown option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(MEDIA_STORAGE_OPTIONS))}",
        )
    endpoint = query.get("endpoint_url", "")
    if endpoint and (
        urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc
    ):
        raise ConfigError(variable, f"endpoint_url must be an http(s) URL, got {endpoint!r}")
    location = query.get("location", "").strip("/")
    options = {
        "bucket_name": parts.netloc,
        "endpoint_url": endpoint or None,
        "region_name": query.get("region_name") or None,
        "custom_domain": query.get("custom_domain") or None,
        "location": location,
        # Public images at plain, cacheable addresses; never overwrite a stored name.
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        "addressing_style": "path",
        "object_parameters": {"CacheControl": "public, max-age=2592000"},
    }
    if options["custom_domain"]:
        base = f"https://{options['custom_domain']}/"
    elif endpoint:
        base = f"{endpoint.rstrip('/')}/{parts.netloc}/"
    else:
        region = options["region_name"] or "us-east-1"
        base = f"https://s3.{region}.amazonaws.com/{parts.netloc}/"
    media_url = base + (f"{location}/" if location else "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, media_url
