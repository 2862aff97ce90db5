"""Helpers for the tests that run the registry in other processes, as production does."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[3]

# The least a production process is given (docs/operations.md, "Configure"): DEBUG off, a real
# secret key and the host names; every HTTPS setting then takes its safe default.
PRODUCTION_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "registry.example.org",
}


def production_environment(**overrides):
    """A clean environment for a production process, plus `overrides`.

    Only what a process needs to run is inherited, so that nothing the test run itself was
    given (DATABASE_URL, DEBUG, ...) leaks into the process under test.
    """
    inherited = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ
    }
    return {
        **inherited,
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": "sqlite:///:memory:",
        **PRODUCTION_ENVIRONMENT,
        **{name: str(value) for name, value in overrides.items()},
    }


def manage(*args, env, check=True, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def database_url(settings_dict, name=None):
    """A DATABASE_URL for a PostgreSQL connection's settings, naming database `name`."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(name or settings_dict['NAME'], safe='')}"


def postgres_client_arguments(settings_dict):
    """Connection arguments and environment for pg_dump, psql, createdb, dropdb."""
    arguments = []
    if settings_dict["HOST"]:
        arguments += ["--host", settings_dict["HOST"]]
    if settings_dict["PORT"]:
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict["USER"]:
        arguments += ["--username", settings_dict["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if settings_dict["PASSWORD"]:
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, env


def free_port():
    """A loopback port nobody listens on right now (gunicorn cannot bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, headers=None, timeout=10):
    """(status, headers, body) of a GET; redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_listening(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} seconds")
