"""The reader's language from the address: `?lang=kk` on any page or API call.

Django's LocaleMiddleware, just before this one, has chosen the language from the cookie the
switcher sets (Django's `set_language` view) or from Accept-Language. A supported `lang`
parameter overrides that choice for this request and is remembered in the same cookie, so a
link shared with `?lang=` keeps the reader in that language afterwards. An unknown code is
ignored: the page answers in the language chosen otherwise. Either way the parameter is taken
out of `request.GET`, so that views which read every parameter as a filter (the admin's
lists, the API's) never see it. Addresses carry no language prefix, so the public register's
URLs are the same in every language.
"""

from django.conf import settings
from django.utils import translation

QUERY_PARAMETER = "lang"


def requested_language(request) -> str | None:
    """The supported language `?lang=` names (`zh-Hans` and `zh_hans` as `zh-hans`), or None."""
    code = request.GET.get(QUERY_PARAMETER, "").strip().replace("_", "-").lower()
    supported = {language.lower(): language for language, _ in settings.LANGUAGES}
    return supported.get(code)


class QueryLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = requested_language(request)
        if QUERY_PARAMETER in request.GET:
            request.GET = request.GET.copy()
            del request.GET[QUERY_PARAMETER]
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response


def language_switcher(request) -> dict:
    """A context processor: where the switcher comes back to, the current page without its
    `lang` parameter, which would otherwise override the language just chosen (the middleware
    took it out of `request.GET`; the raw query string still holds it)."""
    encoded = request.GET.urlencode()
    return {"language_switcher_next": f"{request.path}?{encoded}" if encoded else request.path}
