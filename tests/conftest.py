import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tests.factories import UserFactory
from tests.support import api_client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back or flushed test database counts its
    data versions from the start again, so an earlier test's entries could answer."""
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the registry's language: a request leaves the language it chose
    (`?lang=`, a cookie, Accept-Language) active in the thread that served it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make users by the dozen: their passwords need not resist cracking."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", is_staff=True, groups=["registry-editor"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", groups=["registry-viewer"])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", groups=["registry-auditor"])


@pytest.fixture
def api(editor):
    """The API as the editor, who reads and writes everything."""
    return api_client(editor)


@pytest.fixture
def editor_client(client, editor):
    """The site, the admin included, signed in as the editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def worker(monkeypatch):
    """`worker()` runs every queued task (background jobs) as `manage.py db_worker --batch`
    does, in the test's process, and returns how many it ran. The worker closes "old"
    connections between tasks; here the connection holds the test's transaction: it is kept."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> int:
        queued = DBTaskResult.objects.ready().count()
        db_worker.Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()
        return queued

    return run


def _database_order(item) -> int:
    """Tests that share the migrated database first, then those that restore it
    (serialized_rollback), then those that flush it, then those without a database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    restores = bool(marker and marker.kwargs.get("serialized_rollback")) or (
        "django_db_serialized_rollback" in fixtures
    )
    flushes = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )
    if restores:
        return 1
    if flushes:
        return 2
    return 0 if marker or "db" in fixtures else 3


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # A flush re-creates the content types (post_migrate) that a later restore of the migrated
    # contents would then insert twice: the restoring tests run before any test that flushes.
    items.sort(key=_database_order)
