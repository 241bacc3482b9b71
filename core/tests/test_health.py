import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from fibrosite.config import cache_from_url
from fibrosite.tests.served import ServedSite, fetch, production_backends
from fibrosite.tests.test_config import run_python

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.fault
def test_healthz_reports_the_cache_down_with_503_when_redis_stops(client, private_redis):
    with override_settings(CACHES={"default": cache_from_url(private_redis.url)}):
        assert client.get("/healthz").json() == {"database": "ok", "cache": "ok"}
        private_redis.stop()
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unavailable"}


@pytest.mark.fault
def test_healthz_reports_the_database_down_with_503():
    # Nothing listens on port 9: a real refused connection, not a mock.
    code = (
        "import django; django.setup(); from django.test.utils import setup_test_environment; "
        "setup_test_environment(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="fibrosite.test_settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/fibrosite_nowhere",
    )
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503", result.stderr
    assert json.loads(body) == {"database": "unavailable", "cache": "ok"}


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_concurrent_health_checks_never_call_a_healthy_host_failing(tmp_path):
    """Four gunicorn workers, eight probes at once: 400 checks, not one false 503.

    Runs on this leg's production backends: SQLite with the database cache, or PostgreSQL
    with Redis. (With one shared key, checks overwrote each other's value: 50 in 400 failed.)
    """
    with production_backends(tmp_path, "health") as (database, cache):
        with ServedSite(tmp_path, database, workers=4, demo=False, CACHE_URL=cache) as site:
            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(lambda _: fetch(site.url + "/healthz"), range(400)))
    failures = [(status, body) for status, _, body in results if status != 200]
    assert failures == []
    assert all(json.loads(body) == {"database": "ok", "cache": "ok"} for _, _, body in results)
