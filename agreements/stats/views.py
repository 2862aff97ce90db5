"""The dashboard (`/`): figures, charts and lists of what the signed-in reader may see.

The view is thin: the selectors read (visibility first, then the same `MemorandumFilterSet` as
the API), `charts` turns figures into SVG geometry, and the template only shows what was loaded.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from agreements.approvals.selectors import memoranda_waiting_for
from agreements.filters import MemorandumFilterSet
from agreements.forms import MemorandumFilterForm, filter_form
from agreements.querysets import Status
from agreements.selectors import can_read_staff_names
from agreements.stats import charts, selectors

EXPIRING_DAYS = 180
EXPIRING_ROWS = 50
RECENT_ROWS = 10
WAITING_ROWS = 50


@login_required(login_url="admin:login")
def dashboard(request):
    today = timezone.localdate()
    visible = selectors.memoranda_for_statistics(request.user, today=today)
    form = filter_form(MemorandumFilterForm, request, visible)
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
            # Not filtered: what waits for the reader's decision is shown whatever the filters.
            "waiting": list(memoranda_waiting_for(request.user)[:WAITING_ROWS]),
            "shows_staff_names": can_read_staff_names(request.user),
            "today": today,
        },
    )
