"""The web pages of SPEC section 4: the dashboard (`/`) and the public register (`/public/`).

Views are thin: the selectors read (visibility first, then the same `MemorandumFilterSet` as
the API), `charts` turns figures into SVG geometry, and templates only show what was loaded.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from . import charts, selectors
from .caching import CountRememberingPaginator
from .filters import MemorandumFilterSet
from .models import Memorandum
from .querysets import Status

EXPIRING_DAYS = 180
EXPIRING_ROWS = 50
RECENT_ROWS = 10
REGISTER_PAGE_SIZE = 20


class MemorandumFilterForm(forms.Form):
    """The filters a page offers; the `MemorandumFilterSet` applies them (same names)."""

    country = forms.ChoiceField(required=False, label="Partner country")
    area = forms.ChoiceField(required=False, label="Cooperation area")
    status = forms.ChoiceField(
        required=False, label="Status", choices=[("", "Any status"), *Status.choices]
    )

    def __init__(self, *args, countries, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country"), *countries]
        self.fields["area"].choices = [
            ("", "Any area"),
            *((area.code, area.name) for area in areas),
        ]

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class RegisterSearchForm(MemorandumFilterForm):
    q = forms.CharField(
        required=False,
        label="Search",
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Institution, title, person…"}),
    )

    field_order = ["q", "country", "area", "status"]


def _filter_form(form_class, request, memoranda):
    return form_class(
        request.GET or None,
        countries=selectors.party_countries(memoranda),
        areas=selectors.cooperation_areas(),
    )


@login_required(login_url="admin:login")
def dashboard(request):
    today = timezone.localdate()
    visible = selectors.memoranda_for_statistics(request.user, today=today)
    form = _filter_form(MemorandumFilterForm, request, visible)
    memoranda = MemorandumFilterSet(request.GET, queryset=visible, request=request).qs
    statistics = selectors.memorandum_statistics(memoranda, today=today)
    expiring = selectors.memorandum_expiring(memoranda, today=today, days=EXPIRING_DAYS)
    return render(
        request,
        "dashboard.html",
        {
            "form": form,
            "statistics": statistics,
            "charts": charts.dashboard_charts(statistics, dict(Status.choices)),
            "expiring": expiring[:EXPIRING_ROWS],
            "expiring_days": EXPIRING_DAYS,
            "expiring_rows": EXPIRING_ROWS,
            "recent": selectors.memorandum_recently_updated(memoranda)[:RECENT_ROWS],
            "today": today,
        },
    )


def public_list(request):
    public = selectors.public_memoranda(timezone.localdate())
    form = _filter_form(RegisterSearchForm, request, public)
    memoranda = MemorandumFilterSet(request.GET, queryset=public, request=request).qs
    rows = selectors.public_register_rows(memoranda)
    page = CountRememberingPaginator(rows, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def public_detail(request, reference):
    try:
        memorandum = selectors.public_memorandum(reference, timezone.localdate())
    except Memorandum.DoesNotExist:
        raise Http404("No such memorandum in the public register.") from None
    return render(request, "public/detail.html", {"memorandum": memorandum})
