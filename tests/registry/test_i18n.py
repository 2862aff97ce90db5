"""The registry in English, Kazakh, Russian and Simplified Chinese (docs/translations.md): the
catalogues are complete and faithful, the templates hold no text outside translation tags, and
the reader gets the language asked for by `?lang=`, the switcher's cookie or Accept-Language."""

import ast
import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from partners.services import institution_create, institution_update
from tests.factories import SignedMemorandumFactory

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGES = {"kk": "kk", "ru": "ru", "zh-hans": "zh_Hans"}  # language code: catalogue folder
SOURCE_DIRS = ["registry", "partners", "agreements"]
TRANSLATION_CALLS = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
}


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(BASE_DIR / "locale" / LANGUAGES[language] / "LC_MESSAGES" / "django.po")


def template_files() -> list[Path]:
    roots = [BASE_DIR / "templates", *(BASE_DIR / name / "templates" for name in SOURCE_DIRS)]
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*.html"))


def python_files() -> list[Path]:
    return sorted(
        path
        for name in SOURCE_DIRS
        for path in (BASE_DIR / name).rglob("*.py")
        if "migrations" not in path.parts
    )


def marked_messages(source: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every translation call with literal arguments in Python source."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        roles = TRANSLATION_CALLS.get(node.func.id)
        if roles is None or len(node.args) < len(roles):
            continue
        values = dict(zip(roles, node.args, strict=False))
        if all(isinstance(values[role], ast.Constant) for role in roles):
            context = values["context"].value if "context" in values else None
            found.add((context, values["msgid"].value))
    return found


def template_messages(path: Path) -> set[tuple[str | None, str]]:
    """The template's translation tags as Django's makemessages reads them."""
    found = set()
    text = templatize(path.read_text(), origin=str(path))
    for match in re.finditer(r"\b(?:n?p?gettext)\(", text):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        found |= marked_messages(text[match.start() : end + 1])
    return found


# What a translation must keep: %(name)s, %s and {name} placeholders and a message's HTML
# (`MOU-<year>-<sequence>` is text: the words in it are translated).
PLACEHOLDER = re.compile(
    r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}|</?(?:a|b|br|code|em|i|span|strong|time)\b[^>]*>"
)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)

    assert not po.metadata_is_fuzzy
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []
    assert len(po.translated_entries()) == len(po) > 400


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    changed = []
    for entry in catalogue(language):
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            if placeholders(translated) != placeholders(entry.msgid):
                changed.append((entry.msgid, translated))

    assert changed == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_one_translated(language):
    """The committed django.mo holds exactly the django.po's translations: `make messages`
    was run after the last edit."""
    po = catalogue(language)
    mo = polib.mofile(Path(po.fpath).with_suffix(".mo"))

    def messages(entries):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
            for entry in entries
            if entry.msgid
        }

    compiled = {
        key: ({int(k): v for k, v in value.items()} if isinstance(value, dict) else value)
        for key, value in messages(mo).items()
    }
    assert compiled == messages(po.translated_entries())


def test_the_catalogues_hold_every_marked_message():
    """A string marked in the code or a template but missing from the catalogues would show in
    English: `make messages` adds it, then it is translated."""
    marked = set()
    for path in python_files():
        marked |= marked_messages(path.read_text())
    for path in template_files():
        marked |= template_messages(path)
    assert len(marked) > 400
    for language in LANGUAGES:
        known = {(entry.msgctxt, entry.msgid) for entry in catalogue(language)}
        assert sorted(marked - known, key=str) == [], language


class VisibleText(HTMLParser):
    """The text a reader sees, and reads aloud, in a template whose Django tags are masked:
    text nodes and the attributes that hold words."""

    WORDED_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label", "summary"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name in self.WORDED_ATTRIBUTES and value:
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
            self.texts.append(attributes.get("value") or "")

    def handle_data(self, data):
        self.texts.append(data)


# Blocks of the admin's templates that fill in markup (the body's CSS classes), not text.
MARKUP_BLOCKS = {"bodyclass", "extrastyle", "extrahead"}


def untranslated_text(path: Path) -> list[str]:
    """Words in the template outside {% translate %} and {% blocktranslate %}: its tokens with
    every variable, tag, comment and translation block masked, then read as HTML."""
    masked, inside = [], None
    for token in Lexer(path.read_text()).tokenize():
        if token.token_type == TokenType.BLOCK:
            command, *arguments = token.contents.split()
            if inside is None and command in {"blocktranslate", "blocktrans", "comment"}:
                inside = {"comment": "endcomment"}.get(command, "endblocktranslate")
            elif inside is None and command == "block" and arguments[0] in MARKUP_BLOCKS:
                inside = "endblock"
            elif command in {inside, "endblocktrans"}:
                inside = None
            masked.append("·")
        elif token.token_type == TokenType.TEXT and inside is None:
            masked.append(token.contents)
        elif inside is None:
            masked.append("·")
    parser = VisibleText()
    parser.feed("".join(masked))
    return [text.strip() for text in parser.texts if re.search(r"[^\W\d_]", text)]


@pytest.mark.parametrize("path", template_files(), ids=lambda path: path.name)
def test_templates_hold_no_text_outside_translation_tags(path):
    assert untranslated_text(path) == []


def test_the_template_checker_finds_bare_text(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        '{% load i18n %}<p title="Hello">{% translate "Fine" %} · {{ value }}</p>'
        "{% blocktranslate %}Also fine{% endblocktranslate %}<button>Send</button>"
        '<input type="submit" value="Go">{# a comment #}'
    )

    assert untranslated_text(template) == ["Hello", "Send", "Go"]


# Behaviour: the reader's language.


@pytest.fixture
def reference_case(editor):
    """A public signed memorandum between NU and SUSTech, both named in Kazakh, Russian and
    Chinese, signed on 29 May 2023."""
    nu = institution_create(
        actor=editor,
        name="Nazarbayev University",
        short_name="NU",
        country="KZ",
        aliases=[
            ("Назарбаев Университет", "kk"),
            ("Назарбаев Университет", "ru"),
            ("纳扎尔巴耶夫大学", "zh-hans"),
        ],
    )
    sustech = institution_create(
        actor=editor,
        name="Southern University of Science and Technology",
        short_name="SUSTech",
        country="CN",
        aliases=[
            ("Оңтүстік ғылым және технология университеті", "kk"),
            ("Южный университет науки и технологий", "ru"),
            ("南方科技大学", "zh-hans"),
        ],
    )
    return SignedMemorandumFactory(
        reference="MOU-2023-0001",
        title="Memorandum on online education",
        parties=[nu, sustech],
        signed_on=datetime.date(2023, 5, 29),
    )


@pytest.mark.django_db
def test_lang_parameter_gives_the_page_in_kazakh_and_is_remembered(client):
    response = client.get("/public/?lang=kk")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="kk">' in html
    assert "Серіктестік туралы келісімдердің жария тізілімі" in html
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"
    assert response["Content-Language"] == "kk"
    # The next page, without the parameter, stays in Kazakh: the cookie remembers it.
    assert "Жария тізілім" in client.get("/public/").content.decode()


@pytest.mark.django_db
def test_accept_language_gives_the_page_in_russian(client):
    html = client.get("/public/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5").content.decode()

    assert '<html lang="ru">' in html
    assert "Публичный реестр соглашений о партнёрстве" in html


@pytest.mark.django_db
def test_an_unknown_lang_is_ignored(client):
    response = client.get("/public/?lang=xx", HTTP_ACCEPT_LANGUAGE="ru")

    assert '<html lang="ru">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_remembers_the_choice_and_comes_back(client):
    page = client.get("/public/?lang=kk&q=online").content.decode()
    # The switcher comes back to the page without the `lang` that would override the choice.
    assert 'name="next" value="/public/?q=online"' in page

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/public/"})

    assert response.status_code == 302
    assert response["Location"] == "/public/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "合作协议公开登记册" in client.get("/public/").content.decode()


@pytest.mark.django_db
def test_every_page_offers_the_switcher(editor_client):
    anonymous = Client()
    for html in (
        anonymous.get("/public/").content.decode(),
        anonymous.get("/admin/login/").content.decode(),
        editor_client.get("/public/").content.decode(),
        editor_client.get("/").content.decode(),
        editor_client.get("/admin/").content.decode(),
    ):
        assert 'id="language-switcher"' in html
        for code in ("en", "kk", "ru", "zh-hans"):
            assert f'<option value="{code}"' in html


@pytest.mark.django_db
def test_the_public_register_addresses_do_not_change_with_the_language(client, reference_case):
    addresses = set()
    for language in ("en", *LANGUAGES):
        with translation.override(language):
            addresses.add(
                (reverse("public-list"), reverse("public-detail", args=[reference_case.reference]))
            )
    assert addresses == {("/public/", f"/public/{reference_case.reference}/")}
    detail = client.get(f"/public/{reference_case.reference}/?lang=ru")
    assert detail.status_code == 200
    assert client.get(f"/ru/public/{reference_case.reference}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "names", "date"),
    [
        (
            "en",
            ["Nazarbayev University", "Southern University of Science and Technology"],
            "29 May 2023",
        ),
        (
            "kk",
            ["Назарбаев Университет", "Оңтүстік ғылым және технология университеті"],
            "29 Мамыр 2023 ж.",
        ),
        ("ru", ["Назарбаев Университет", "Южный университет науки и технологий"], "29 мая 2023"),
        ("zh-hans", ["纳扎尔巴耶夫大学", "南方科技大学"], "2023年5月29日"),
    ],
)
def test_institutions_are_named_in_the_readers_language(
    client, reference_case, language, names, date
):
    detail = client.get(f"/public/{reference_case.reference}/?lang={language}").content.decode()
    listing = client.get(f"/public/?lang={language}").content.decode()

    for name in names:
        assert name in detail
        assert name in listing
    assert date in detail


@pytest.mark.django_db
def test_an_institution_without_an_alias_in_the_language_keeps_its_official_name(client, editor):
    plain = institution_create(actor=editor, name="Example Institute", country="DE")
    SignedMemorandumFactory(reference="MOU-2023-0002", parties=[plain])

    assert "Example Institute" in client.get("/public/?lang=zh-hans").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "kk", "zh-hans"])
def test_search_finds_an_institution_by_any_of_its_names(client, reference_case, language):
    for name in ("Назарбаев", "纳扎尔巴耶夫大学", "Nazarbayev", "Южный университет"):
        html = client.get(f"/public/?lang={language}", {"q": name}).content.decode()
        assert f'data-reference="{reference_case.reference}"' in html, name


@pytest.mark.django_db
def test_a_name_written_alone_keeps_the_languages_of_its_alias(editor, reference_case):
    nu = reference_case.parties.get(order=0).institution
    names = list(nu.aliases.values_list("name", flat=True))

    institution_update(institution=nu, actor=editor, aliases=names)

    assert sorted(nu.aliases.values_list("name", "language")) == [
        ("Назарбаев Университет", "kk"),
        ("Назарбаев Университет", "ru"),
        ("纳扎尔巴耶夫大学", "zh-hans"),
    ]


@pytest.mark.django_db
def test_the_api_answers_errors_in_the_clients_language(client):
    response = client.get("/api/v1/memoranda/?page_size=0", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert response.status_code == 400
    assert response.json()["page_size"] == ["请输入 1 到 500 之间的整数。"]
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_the_api_names_fields_of_a_refused_write_in_russian(client, editor):
    client.force_login(editor)
    response = client.post(
        "/api/v1/memoranda/",
        {"title": "Без сторон", "stage": "signed", "signed_on": "2024-01-01", "parties": []},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 400
    assert "У подписанного меморандума должно быть не менее двух разных сторон." in str(
        response.json()["parties"]
    )


@pytest.mark.django_db
def test_the_admin_speaks_russian(editor_client, reference_case):
    changelist = editor_client.get("/admin/agreements/memorandum/?lang=ru").content.decode()
    change = editor_client.get(
        f"/admin/agreements/memorandum/{reference_case.pk}/change/"
    ).content.decode()

    assert "Экспортировать выбранные меморандумы в CSV" in changelist  # an action
    assert "срок действия" in changelist  # a filter
    assert "Меморандум о взаимопонимании" in changelist  # a choice's label
    assert "Подписание и срок" in change  # a fieldset
    assert "место подписания" in change.lower()  # a field's name


@pytest.mark.django_db
def test_the_dashboard_charts_speak_chinese(editor_client, reference_case):
    html = editor_client.get("/?lang=zh-hans").content.decode()

    assert "按状态划分的协议" in html
    assert "按合作伙伴国家划分的协议" in html
    assert "截至 2" in html  # the date of the lead paragraph, written the Chinese way
