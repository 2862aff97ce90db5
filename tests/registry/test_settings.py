"""The production settings, as a production process reads them from its environment."""

import json

import pytest

from tests.system.production.support import manage, production_environment

SHOW_SETTINGS = """
import json
from django.conf import settings
from django.core.files.storage import storages
from agreements.models import Memorandum
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "NUM_PROXIES": settings.REST_FRAMEWORK["NUM_PROXIES"],
    "LOG_FORMAT": settings.LOG_FORMAT,
    "static": type(storages["staticfiles"]).__name__,
    "media": type(storages["default"]).__name__,
    "bucket": getattr(storages["default"], "bucket_name", None),
    "endpoint": getattr(storages["default"], "endpoint_url", None),
    "databases": sorted(settings.DATABASES),
    "read_from": Memorandum.objects.all().db,
}))
"""


def show_settings(without=(), **environment):
    env = production_environment(**environment)
    for name in without:
        del env[name]
    completed = manage("shell", "-c", SHOW_SETTINGS, env=env)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_without_a_warning_in_production():
    completed = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_environment(), check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout


@pytest.mark.parametrize(
    "environment, warning",
    [
        ({"DEBUG": "true"}, "security.W018"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        # The development key, given by hand.
        ({"SECRET_KEY": "django-insecure-development-key"}, "security.W009"),
    ],
)
def test_check_deploy_fails_on_an_unsafe_environment(environment, warning):
    completed = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_environment(**environment),
        check=False,
    )

    assert completed.returncode != 0
    assert warning in completed.stdout + completed.stderr


@pytest.mark.parametrize("secret_key", [None, ""])
def test_production_refuses_to_start_without_a_secret_key(secret_key):
    env = production_environment()
    if secret_key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret_key

    completed = manage("check", "--deploy", env=env, check=False)

    assert completed.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in completed.stderr
    assert "DEBUG=true" in completed.stderr


def test_production_defaults():
    shown = show_settings()

    assert shown["DEBUG"] is False
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SESSION_COOKIE_SECURE"] is shown["CSRF_COOKIE_SECURE"] is True
    assert shown["SECURE_HSTS_SECONDS"] == 31_536_000
    assert shown["SECURE_PROXY_SSL_HEADER"] is None
    assert shown["NUM_PROXIES"] == 0  # no X-Forwarded-For is trusted
    assert shown["LOG_FORMAT"] == "json"
    assert shown["static"] == "CompressedManifestStaticFilesStorage"
    assert shown["media"] == "FileSystemStorage"
    assert shown["databases"] == ["default"]
    assert shown["read_from"] == "default"


def test_debug_defaults_serve_plain_http():
    """`make run` sets DEBUG=true and serves http://127.0.0.1 without collectstatic, and
    without a SECRET_KEY of its own."""
    shown = show_settings(without=["SECRET_KEY"], DEBUG="true")

    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is shown["CSRF_COOKIE_SECURE"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["LOG_FORMAT"] == "text"
    assert shown["static"] == "StaticFilesStorage"


def test_behind_a_proxy_with_object_storage_and_a_read_replica():
    shown = show_settings(
        SECURE_PROXY_SSL_HEADER="true",
        TRUSTED_PROXY_COUNT="1",
        CSRF_TRUSTED_ORIGINS="https://registry.example.org",
        AWS_STORAGE_BUCKET_NAME="registry-documents",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        DATABASE_REPLICA_URL="sqlite:////nonexistent/replica.sqlite3",
    )

    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["NUM_PROXIES"] == 1
    assert shown["CSRF_TRUSTED_ORIGINS"] == ["https://registry.example.org"]
    assert shown["media"] == "S3Storage"
    assert shown["bucket"] == "registry-documents"
    assert shown["endpoint"] == "https://s3.example.org"
    assert shown["databases"] == ["default", "replica"]
    assert shown["read_from"] == "replica"
