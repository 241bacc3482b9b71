"""Fixtures shared with the apps' tests."""

from store.tests.conftest import make_product, shop_category  # noqa: F401 - fixtures
