"""Forms shared by the web pages: the filters of the dashboard and the public register."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .querysets import Status
from .selectors import cooperation_areas, party_countries


class MemorandumFilterForm(forms.Form):
    """The filters a page offers; the `MemorandumFilterSet` applies them (same names)."""

    country = forms.ChoiceField(required=False, label=_("Partner country"))
    area = forms.ChoiceField(required=False, label=_("Cooperation area"))
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")), *Status.choices]
    )

    def __init__(self, *args, countries, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *countries]
        self.fields["area"].choices = [
            ("", _("Any area")),
            *((area.code, area.name) for area in areas),
        ]

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


def filter_form(form_class, request, memoranda):
    return form_class(
        request.GET or None,
        countries=party_countries(memoranda),
        areas=cooperation_areas(),
    )
