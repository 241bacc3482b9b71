"""Fixtures shared with the apps' tests."""

from articles.tests.conftest import category, make_article  # noqa: F401 - fixtures
from store.tests.conftest import make_product, shop_category  # noqa: F401 - fixtures
