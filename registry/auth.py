"""Sign-in lockout (django-axes): brute-forcing a password through the admin's login page is
stopped after AXES_FAILURE_LIMIT failures (registry/settings.py)."""

from axes.backends import AxesStandaloneBackend
from rest_framework.throttling import BaseThrottle


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request (every web sign-in does).

    `authenticate()` without a request (management commands, the test client's `login()`)
    cannot be brute-forced from outside and is passed on to the next backend unchecked,
    where axes' own backend would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The client's address as the API's rate limits see it (REST framework's NUM_PROXIES, from
    TRUSTED_PROXY_COUNT): the connection's own, or behind that many proxies the address the
    outermost one added to X-Forwarded-For."""
    return BaseThrottle().get_ident(request)
