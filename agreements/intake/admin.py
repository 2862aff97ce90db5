"""The memorandum admin's intake page: a draft proposed from an announcement."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.intake.forms import IntakeConfirmForm, IntakeTextForm
from agreements.intake.proposal import propose


class IntakeAdminMixin:
    def intake_view(self, request):
        """Paste an announcement, see the draft it proposes (`proposal.propose`), confirm:
        the draft is created through `memorandum_create` with the ticked parties (and any
        unknown institutions ticked for creation), areas, date and follow-ups."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Intake from announcement"),
            "subtitle": None,
            "opts": self.model._meta,
        }
        text_form = IntakeTextForm(request.POST or None)
        if request.method == "POST" and text_form.is_valid():
            proposal = propose(text_form.cleaned_data["text"])
            if "create" in request.POST:
                form = IntakeConfirmForm(request.POST, proposal=proposal)
                if form.is_valid():
                    try:
                        memorandum, created = form.create_draft(actor=request.user)
                    except ValidationError:
                        pass
                    else:
                        self.message_user(
                            request,
                            format_html(
                                ngettext(
                                    "Created the draft {reference} and {count} new institution. "
                                    "Add its signatories and check its terms before it is signed.",
                                    "Created the draft {reference} and {count} new institutions. "
                                    "Add its signatories and check its terms before it is signed.",
                                    len(created),
                                )
                                if created
                                else _(
                                    "Created the draft {reference}. Add its signatories and "
                                    "check its terms before it is signed."
                                ),
                                reference=memorandum.reference,
                                count=len(created),
                            ),
                            messages.SUCCESS,
                        )
                        return HttpResponseRedirect(self._change_url(memorandum))
            else:
                form = IntakeConfirmForm(proposal=proposal)
            context |= {"proposal": proposal, "form": form}
        context["text_form"] = text_form
        return TemplateResponse(request, "admin/agreements/memorandum/intake.html", context)
