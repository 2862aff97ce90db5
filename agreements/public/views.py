"""The public register (`/public/`): search and filter the published memoranda; each has a page."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.filters import MemorandumFilterSet
from agreements.forms import MemorandumFilterForm, filter_form
from agreements.models import Memorandum
from agreements.public import selectors
from registry.caching import CountRememberingPaginator

REGISTER_PAGE_SIZE = 20


class RegisterSearchForm(MemorandumFilterForm):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Institution, title, person…")}),
    )

    field_order = ["q", "country", "area", "status"]


def public_list(request):
    public = selectors.public_memoranda(timezone.localdate())
    form = filter_form(RegisterSearchForm, request, public)
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
        raise Http404(_("No such memorandum in the public register.")) from None
    return render(request, "public/detail.html", {"memorandum": memorandum})
