"""The admin's "Intake from announcement" page: paste the text, see the proposal, confirm it.

The text travels with every step and the proposal is read from it again (the rules are
deterministic), so nothing is kept between requests and nothing is saved before "Create".
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from agreements.intake.proposal import Proposal, length_problem
from agreements.intake.services import intake_draft_create
from agreements.models import CooperationArea, Memorandum
from partners.models import Institution

# What the form asks of an institution to create, named as `institution_create` takes it.
NEW_INSTITUTION_FIELDS = ("name", "short_name", "country", "kind")

KIND_WORDS = [
    ("ministry", Institution.Kind.GOVERNMENT),
    ("agency", Institution.Kind.GOVERNMENT),
    ("institute", Institution.Kind.RESEARCH_INSTITUTE),
    ("laboratory", Institution.Kind.RESEARCH_INSTITUTE),
    ("ltd", Institution.Kind.COMPANY),
    ("company", Institution.Kind.COMPANY),
    ("corporation", Institution.Kind.COMPANY),
    ("foundation", Institution.Kind.NGO),
    ("association", Institution.Kind.NGO),
    ("university", Institution.Kind.UNIVERSITY),
    ("college", Institution.Kind.UNIVERSITY),
    ("academy", Institution.Kind.UNIVERSITY),
]


def guess_kind(name: str) -> str:
    lowered = name.lower()
    for word, kind in KIND_WORDS:
        if word in lowered:
            return kind
    return Institution.Kind.OTHER


class IntakeTextForm(forms.Form):
    text = forms.CharField(
        label=_("Announcement"),
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=_("Paste the text of a press release or news item about a signing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = settings.INTAKE_MAX_CHARS

    def clean_text(self):
        text = self.cleaned_data["text"]
        if problem := length_problem(text):
            raise ValidationError(problem)
        return text


class IntakeConfirmForm(forms.Form):
    """What to create from a proposal: the draft's fields, which registered parties, which
    unknown institutions to create (with their country), which areas and commitments."""

    title = forms.CharField(max_length=300, label=_("Title"))
    kind = forms.ChoiceField(choices=Memorandum.Kind.choices, label=_("Kind"))
    signed_on = forms.DateField(required=False, help_text="YYYY-MM-DD", label=_("Signed on"))
    visibility = forms.ChoiceField(
        choices=Memorandum.Visibility.choices,
        initial=Memorandum.Visibility.INTERNAL,
        label=_("Visibility"),
    )
    source_url = forms.URLField(
        required=False, assume_scheme="https", label=_("Announcement URL"), max_length=500
    )
    parties = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Registered parties")
    )
    cooperation_areas = forms.ModelMultipleChoiceField(
        queryset=CooperationArea.objects.order_by("name"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Cooperation areas"),
    )
    commitments = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Follow-ups as commitments")
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["title"].initial = proposal.title
        self.fields["kind"].initial = proposal.kind
        self.fields["signed_on"].initial = proposal.signed_on
        known = proposal.known_parties
        choices = [(str(party.institution.pk), str(party.institution)) for party in known]
        # The registered institutions an unknown name resembles, offered unticked instead.
        for duplicate in proposal.possible_duplicates:
            value = str(duplicate.institution.pk)
            if value not in dict(choices):
                label = _("%(institution)s — resembles “%(name)s”") % {
                    "institution": duplicate.institution,
                    "name": duplicate.name,
                }
                choices.append((value, label))
        self.fields["parties"].choices = choices
        self.fields["parties"].initial = [str(party.institution.pk) for party in known]
        self.fields["cooperation_areas"].initial = [area.code for area in proposal.areas]
        self.fields["commitments"].choices = [
            (
                str(index),
                _("%(title)s (due %(date)s)")
                % {"title": commitment.title, "date": commitment.due_on.isoformat()},
            )
            for index, commitment in enumerate(proposal.commitments)
        ]
        self.fields["commitments"].initial = [
            str(index) for index in range(len(proposal.commitments))
        ]
        self.unknown_rows = []
        for index, party in enumerate(proposal.unknown_parties):
            prefix = f"new_{index}"
            self.fields[f"{prefix}_create"] = forms.BooleanField(
                required=False,
                label=_("Create “%(name)s” and make it a party") % {"name": party.name},
            )
            self.fields[f"{prefix}_name"] = forms.CharField(
                max_length=255, initial=party.name, label=_("Name")
            )
            self.fields[f"{prefix}_short_name"] = forms.CharField(
                max_length=50, required=False, initial=party.short_name, label=_("Acronym")
            )
            self.fields[f"{prefix}_country"] = forms.ChoiceField(
                choices=[("", "—")] + list(countries), required=False, label=_("Country")
            )
            self.fields[f"{prefix}_kind"] = forms.ChoiceField(
                choices=Institution.Kind.choices, initial=guess_kind(party.name), label=_("Kind")
            )
            duplicates = [d for d in proposal.possible_duplicates if d.name == party.name]
            self.unknown_rows.append(
                {
                    "party": party,
                    "duplicates": duplicates,
                    "fields": [self[f"{prefix}_{name}"] for name in NEW_INSTITUTION_FIELDS],
                    "create": self[f"{prefix}_create"],
                }
            )

    def clean(self):
        cleaned_data = super().clean()
        for index in range(len(self.proposal.unknown_parties)):
            prefix = f"new_{index}"
            if cleaned_data.get(f"{prefix}_create") and not cleaned_data.get(f"{prefix}_country"):
                self.add_error(f"{prefix}_country", _("Choose the country of the new institution."))
        return cleaned_data

    def create_draft(self, *, actor) -> tuple[Memorandum, list[Institution]]:
        """Create the chosen institutions and the draft memorandum (`intake_draft_create`);
        a refusal becomes the form's error."""
        data = self.cleaned_data
        chosen = set(data["parties"])
        parties: list[Institution | dict] = []
        unknown_index = 0
        for party in self.proposal.parties:
            if party.institution is not None:
                if str(party.institution.pk) in chosen:
                    parties.append(party.institution)
                continue
            prefix = f"new_{unknown_index}"
            unknown_index += 1
            if data.get(f"{prefix}_create"):
                parties.append({name: data[f"{prefix}_{name}"] for name in NEW_INSTITUTION_FIELDS})
                continue
            parties += [
                d.institution
                for d in self.proposal.possible_duplicates
                if d.name == party.name
                and str(d.institution.pk) in chosen
                and d.institution not in parties
            ]
        try:
            return intake_draft_create(
                actor=actor,
                parties=parties,
                title=data["title"],
                kind=data["kind"],
                signed_on=data["signed_on"],
                visibility=data["visibility"],
                source_url=data["source_url"],
                cooperation_areas=list(data["cooperation_areas"]),
                commitments=[
                    {"title": commitment.title, "due_on": commitment.due_on}
                    for index, commitment in enumerate(self.proposal.commitments)
                    if str(index) in data["commitments"]
                ],
            )
        except ValidationError as error:
            for message in error.messages:
                self.add_error(None, message)
            raise
