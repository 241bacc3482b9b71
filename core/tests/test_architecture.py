"""The import graph: arrows go down into core; store and community reach articles (and
articles reaches community) only through the documented seams below; no app imports
fibrosite (settings come through django.conf). Tests and migrations are left out: tests
check the site as a whole, migrations name models by string."""

import ast
from pathlib import Path

from django.conf import settings

APPS = ("core", "articles", "store", "community")

# (importing app, module it may import): each a documented seam.
SEAMS = {
    # The query helper: published articles only.
    ("store", "articles.selectors"),
    ("community", "articles.selectors"),
    # The search registry: apps add their own documents (StoreConfig.ready()).
    ("store", "articles.search"),
    ("store", "articles.search.text"),
    # The Blogger importer brings old comments over through community's service.
    ("articles", "community.services"),
}
# Demo loaders build a whole site's worth of content: they may use articles' models.
DECLARED_EXCEPTIONS = {
    ("store/demo.py", "articles.models"),
    ("community/demo.py", "articles.models"),
}


def _is_module(name):
    path = settings.BASE_DIR / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def _imports(tree):
    """(line, module) for every import; `from package import module` counts as the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield node.lineno, submodule if _is_module(submodule) else node.module


def _app_modules():
    for app in APPS:
        for path in sorted((settings.BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(settings.BASE_DIR)
            if not {"tests", "migrations"} & set(relative.parts):
                yield app, relative


def _allowed(app, path, module):
    top = module.split(".")[0]
    if top == "fibrosite":
        return False  # configuration; settings come through django.conf
    if top not in APPS or top in (app, "core"):
        return True  # Django, a library, the app itself, or core
    if app == "core":
        return False  # core builds on no app
    return (app, module) in SEAMS or (path.as_posix(), module) in DECLARED_EXCEPTIONS


def violations():
    found = set()
    for app, path in _app_modules():
        tree = ast.parse((settings.BASE_DIR / path).read_text(), filename=str(path))
        for lineno, module in _imports(tree):
            if not _allowed(app, path, module):
                found.add(f"{path.as_posix()}:{lineno} imports {module}")
    return sorted(found)


def test_apps_import_each_other_only_through_documented_seams():
    assert violations() == []


def test_the_check_catches_a_new_cross_app_import(tmp_path, settings):
    for app in APPS:
        (tmp_path / app).mkdir()
    (tmp_path / "store" / "views.py").write_text(
        "from articles.models import Article\nfrom articles.selectors import published_articles\n"
    )
    (tmp_path / "community" / "mail.py").write_text("from fibrosite import settings\n")
    (tmp_path / "core" / "images.py").write_text("import store.models\n")
    (tmp_path / "articles" / "views.py").write_text("from community import services\n")
    (tmp_path / "articles" / "selectors.py").touch()
    (tmp_path / "community" / "services.py").touch()
    settings.BASE_DIR = tmp_path
    # The seam `community.services` is there for the importer: the import itself passes.
    assert violations() == [
        "community/mail.py:1 imports fibrosite",
        "core/images.py:1 imports store.models",
        "store/views.py:1 imports articles.models",
    ]


def test_every_seam_is_in_use():
    """A seam nobody uses any more is taken off the list, not left open."""
    used = set()
    for app, path in _app_modules():
        tree = ast.parse((settings.BASE_DIR / path).read_text())
        used.update((app, module) for _, module in _imports(tree))
    assert SEAMS <= used
    assert {(Path(p).parts[0], m) for p, m in DECLARED_EXCEPTIONS} <= used
