from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agreements.models import Acknowledgement, Memorandum
from partners.models import Institution
from registry.history import attributed


class StaleFingerprint(Exception):
    """The fingerprint a partner acknowledged is not the memorandum's current one."""

    def __init__(self, current: str):
        super().__init__(
            _(
                "These are not the memorandum's current terms: its terms have changed since you "
                "read them. Read the memorandum again and acknowledge its current fingerprint."
            )
        )
        self.current = current


@attributed
def acknowledgement_create(
    *, memorandum: Memorandum, institution: Institution, fingerprint_seen: str, actor
) -> tuple[Acknowledgement, bool]:
    """`institution` (a party) acknowledges the terms it read, `fingerprint_seen`: (the
    acknowledgement, whether it is new). Acknowledging the same terms again returns the first
    acknowledgement. Raises ValidationError for a memorandum that is not signed or an
    institution that is not a party, StaleFingerprint when the terms have changed since.

    The memorandum's row is locked while its fingerprint is read and compared, so that a
    concurrent `memorandum_update` (which locks it too) cannot slip in between.
    """
    memorandum = (
        Memorandum.objects.select_for_update().filter(pk=memorandum.pk).get()
        if memorandum.pk
        else memorandum
    )
    if memorandum.stage != Memorandum.Stage.SIGNED:
        raise ValidationError(
            {
                "fingerprint": _(
                    "Only a signed memorandum can be acknowledged; this one is %(stage)s."
                )
                % {"stage": str(memorandum.get_stage_display()).lower()}
            }
        )
    if not memorandum.parties.filter(institution=institution).exists():
        raise ValidationError(
            {
                "institution": _("%(institution)s is not a party of this memorandum.")
                % {"institution": institution.label}
            }
        )
    current = memorandum.fingerprint
    if fingerprint_seen != current:
        raise StaleFingerprint(current)
    existing = Acknowledgement.objects.filter(
        memorandum=memorandum, institution=institution, fingerprint=current
    ).first()
    if existing is not None:
        return existing, False
    acknowledgement = Acknowledgement.objects.create(
        memorandum=memorandum,
        institution=institution,
        fingerprint=current,
        acknowledged_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return acknowledgement, True
