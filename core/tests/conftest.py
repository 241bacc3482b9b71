"""Fixtures shared with the articles tests."""

from articles.tests.conftest import category, make_article  # noqa: F401 - fixtures
