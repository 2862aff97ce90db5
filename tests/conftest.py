import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import UserFactory


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
