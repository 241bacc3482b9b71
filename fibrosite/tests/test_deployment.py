"""The documented deployment works as written: `migrate` alone, and a proxy in front."""

import pytest

from fibrosite.tests.served import ServedSite, Visitor, fetch
from fibrosite.tests.test_config import production_env, run_python

CHECK_DEPLOY = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def test_check_deploy_warns_about_a_proxy_in_front_with_no_trusted_proxy_count():
    # An https SITE_URL trusts the proxy's X-Forwarded-Proto: there is a proxy, and with
    # TRUSTED_PROXY_COUNT=0 every visitor would have its address.
    env = production_env("https://fibrosite.example.org")
    del env["TRUSTED_PROXY_COUNT"]
    result = run_python(None, args=CHECK_DEPLOY, **env)
    assert result.returncode == 1
    assert "fibrosite.W001" in result.stderr
    assert "TRUSTED_PROXY_COUNT is 0" in result.stderr
    assert "Set TRUSTED_PROXY_COUNT=1 behind the shipped nginx front" in result.stderr


def test_check_deploy_is_quiet_about_proxies_when_served_directly_over_http():
    env = production_env("http://127.0.0.1:8000")
    del env["TRUSTED_PROXY_COUNT"]
    result = run_python(None, args=["manage.py", "check", "--deploy"], **env)
    assert result.returncode == 0, result.stderr
    assert "fibrosite.W001" not in result.stdout + result.stderr


@pytest.mark.parametrize("bad", ["-1", "one", "1.5"])
def test_a_bad_trusted_proxy_count_stops_start_up_in_one_line(bad):
    env = {**production_env("https://fibrosite.example.org"), "TRUSTED_PROXY_COUNT": bad}
    result = run_python(None, args=["manage.py", "check"], **env)
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("FibroSite configuration error: TRUSTED_PROXY_COUNT")
    )


def test_migrate_and_collectstatic_alone_make_a_working_site(tmp_path):
    """Production defaults (database cache, cached_db sessions): no createcachetable step."""
    database = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    with ServedSite(tmp_path, database, demo=False, CACHE_URL=None) as site:
        assert "CACHE_URL" not in site.env  # the production default: dbcache://
        status, _, body = fetch(site.url + "/healthz")
        assert (status, body) == (200, '{"database": "ok", "cache": "ok"}')

        site.create_editor("first.editor", "a-long-enough-passphrase")
        editor = Visitor(site.url)
        status, headers, _ = editor.sign_in("first.editor", "a-long-enough-passphrase")
        assert (status, headers["Location"]) == (302, "/admin/")
        status, _, page = editor.get("/admin/")
        assert status == 200 and "What would you like to work on?" in page
