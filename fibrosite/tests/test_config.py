"""Configuration comes from the environment, and bad configuration stops start-up with one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fibrosite.config import (
    ConfigError,
    cache_from_url,
    database_from_url,
    mailer_from_url,
    media_storage_from_url,
)

ROOT = Path(__file__).resolve().parents[2]
OUR_VARIABLES = {
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "NOTIFY_EMAILS",
    "MEDIA_ROOT",
    "MEDIA_STORAGE_URL",
    "SITE_URL",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests; production never has it
}
STRONG_KEY = "k3y-" + "q7Zp2xR9mV4tL8wN1cF6hJ0bY5sD3gK" * 2
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
    "s.MAILERS['default']['BACKEND'], s.SESSION_ENGINE, s.SESSION_COOKIE_SECURE, "
    "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_NAME)"
)


def run_python(code, args=(), **env):
    clean = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "fibrosite.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, *(("-c", code) if code else ()), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nothing_set_but_debug_runs_on_sqlite_locmem_and_console_mail():
    result = run_python(PRINT_SETTINGS, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.console.EmailBackend",
        "django.contrib.sessions.backends.cached_db",
        "False",
        "False",
        "0",
        "sessionid",
    ]


def test_debug_is_off_unless_set_and_served_processes_share_the_database_cache():
    result = run_python(PRINT_SETTINGS, DJANGO_SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    debug, _, cache, *_ = result.stdout.split()
    assert debug == "False"
    # Several gunicorn workers without Redis still share rate limits and sessions.
    assert cache == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_SECRET_KEY": "django-insecure-fibrosite-local-development-only"},
            "DJANGO_SECRET_KEY",
        ),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "DATABASE_URL": "mysql2://x@h/db"}, "DATABASE_URL"),
        (
            {"DJANGO_SECRET_KEY": STRONG_KEY, "DATABASE_URL": "postgres://u@h:port/db"},
            "DATABASE_URL",
        ),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "CACHE_URL": "redis://h:notaport/1"}, "CACHE_URL"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "CACHE_URL": "memcached-ish"}, "CACHE_URL"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "EMAIL_URL": "pigeon://loft"}, "EMAIL_URL"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "SITE_URL": "example.org"}, "SITE_URL"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "PAGECACHE_SECONDS": "ten"}, "PAGECACHE_SECONDS"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "RATE_LIMIT_CONTACT": "lots"}, "RATE_LIMIT_CONTACT"),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "MEDIA_STORAGE_URL": "s3:///"}, "MEDIA_STORAGE_URL"),
        (
            {"DJANGO_SECRET_KEY": STRONG_KEY, "MEDIA_STORAGE_URL": "s3://b?endpoint=http://x"},
            "MEDIA_STORAGE_URL",
        ),
        (
            {"DJANGO_SECRET_KEY": STRONG_KEY, "MEDIA_STORAGE_URL": "s3://b?endpoint_url=ftp://x"},
            "MEDIA_STORAGE_URL",
        ),
        ({"DJANGO_SECRET_KEY": STRONG_KEY, "MEDIA_STORAGE_URL": "gs://b"}, "MEDIA_STORAGE_URL"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line_naming_the_variable(env, variable):
    result = run_python(None, args=["manage.py", "check"], **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"FibroSite configuration error: {variable} ")
    assert "Traceback" not in result.stderr


def test_redis_cache_url_uses_django_redis_that_survives_an_outage():
    config = cache_from_url("redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "django_redis.cache.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert config["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert config["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] < 1


def test_media_storage_url_names_the_bucket_its_endpoint_and_public_addresses():
    storage, media_url = media_storage_from_url(
        "s3://fibro-media?endpoint_url=http://127.0.0.1:9000&region_name=eu-west-1"
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "fibro-media" and options["region_name"] == "eu-west-1"
    assert options["querystring_auth"] is False and options["file_overwrite"] is False
    assert media_url == "http://127.0.0.1:9000/fibro-media/"
    cdn = media_storage_from_url("s3://fibro-media?custom_domain=img.example.org&location=site")
    assert cdn[1] == "https://img.example.org/site/"
    assert media_storage_from_url("") == ({"BACKEND": "core.storage.MediaStorage"}, "/media/")


def test_postgres_database_url_is_parsed():
    config = database_from_url("postgres://postgres@127.0.0.1:5432/fibro")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("fibro", "127.0.0.1", 5432)


def test_database_url_without_a_name_is_refused():
    with pytest.raises(ConfigError) as caught:
        database_from_url("postgres://postgres@127.0.0.1:5432/")
    assert caught.value.variable == "DATABASE_URL"


def test_smtp_email_url_becomes_a_mailers_entry():
    mailer = mailer_from_url("smtp+tls://user:secret@mail.example.org:2525")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "mail.example.org"
    assert mailer["OPTIONS"]["port"] == 2525
    assert mailer["OPTIONS"]["username"] == "user"
    assert mailer["OPTIONS"]["password"] == "secret"
    assert mailer["OPTIONS"]["use_tls"] is True


def production_env(site_url):
    return {
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "DJANGO_ALLOWED_HOSTS": "fibrosite.example.org",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
        "SITE_URL": site_url,
        "TRUSTED_PROXY_COUNT": "1",  # behind deploy/nginx.conf, as the README says
    }


def test_check_deploy_is_clean_with_production_settings():
    result = run_python(
        None,
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_env("https://fibrosite.example.org"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_https_site_url_turns_on_secure_cookies_hsts_and_the_ssl_redirect():
    result = run_python(PRINT_SETTINGS, **production_env("https://fibrosite.example.org"))
    assert result.returncode == 0, result.stderr
    debug, *_, cookie_secure, redirect, hsts, cookie_name = result.stdout.split()
    assert (debug, cookie_secure, redirect) == ("False", "True", "True")
    assert int(hsts) >= 31536000
    assert cookie_name == "__Host-sessionid"


def test_http_site_url_keeps_production_usable_over_plain_http():
    result = run_python(PRINT_SETTINGS, **production_env("http://127.0.0.1:8000"))
    assert result.returncode == 0, result.stderr
    *_, cookie_secure, redirect, hsts, cookie_name = result.stdout.split()
    assert (cookie_secure, redirect, hsts, cookie_name) == ("False", "False", "0", "sessionid")
