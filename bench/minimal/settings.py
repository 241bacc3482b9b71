"""The speed baseline: one view, one tiny template, security and common middleware only.

Served exactly like the site (gunicorn, 2 workers) in the same benchmark run, so the
ratio site/baseline counts everything FibroSite adds.
"""

from pathlib import Path

SECRET_KEY = "benchmark-baseline-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "minimal.urls"
INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent],
    }
]
DATABASES = {}
USE_TZ = True
