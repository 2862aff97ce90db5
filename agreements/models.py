import hashlib
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from partners.home import home_institution
from partners.models import Institution, OrganisationalUnit, Person
from registry.characters import PlainTextMixin
from registry.constraints import FieldErrorConstraintsMixin
from registry.history import registry_history
from registry.search import SearchDocument, SearchDocumentField

from .querysets import MemorandumQuerySet, Status


class CooperationArea(PlainTextMixin, models.Model):
    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    history = registry_history()

    class Meta:
        verbose_name = _("cooperation area")
        verbose_name_plural = _("cooperation areas")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError(
                    {
                        "parent": _(
                            "An area cannot be its own parent, nor the parent of its parents."
                        )
                    }
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class SustainableDevelopmentGoal(PlainTextMixin, models.Model):
    """One of the 17 UN Sustainable Development Goals, seeded by a migration."""

    number = models.PositiveSmallIntegerField(
        primary_key=True,
        validators=[MinValueValidator(1), MaxValueValidator(17)],
        verbose_name=_("number"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))

    class Meta:
        verbose_name_plural = _("sustainable development goals")
        ordering = ["number"]
        verbose_name = _("sustainable development goal")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=17),
                name="sdg_number_1_to_17",
                violation_error_message=_("SDGs are numbered 1 to 17."),
            )
        ]

    def __str__(self):
        return f"SDG {self.number}: {self.name}"


class ReferenceCounter(PlainTextMixin, models.Model):
    """The last sequence number handed out per year, so references never collide."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("last"))

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


# Kept at hand: services record a memorandum's multi-step save as one history entry. Derived
# columns are left out: the history holds what they are derived from.
MEMORANDUM_HISTORY = registry_history(
    m2m_fields=["cooperation_areas", "sdgs"], excluded_fields=["search_document", "fingerprint"]
)


class Memorandum(PlainTextMixin, FieldErrorConstraintsMixin, models.Model):
    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        MOA = "moa", _("Memorandum of agreement")
        FRAMEWORK = "framework", _("Framework agreement")
        EXCHANGE = "exchange", _("Exchange agreement")
        AMENDMENT = "amendment", _("Amendment")
        RENEWAL = "renewal", _("Renewal")
        LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
        OTHER = "other", _("Other")

    class Stage(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEGOTIATION = "negotiation", _("Negotiation")
        SIGNED = "signed", _("Signed")
        TERMINATED = "terminated", _("Terminated")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")

    Status = Status

    reference = models.CharField(
        max_length=40,
        unique=True,
        blank=True,
        help_text=_("Left blank, it is generated as MOU-<year>-<sequence>."),
        error_messages={"unique": _("A memorandum with this reference already exists.")},
        verbose_name=_("reference"),
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.MOU, verbose_name=_("kind")
    )
    stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.DRAFT, verbose_name=_("stage")
    )
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    signed_at = models.CharField(_("place of signing"), max_length=200, blank=True)
    effective_from = models.DateField(
        null=True,
        blank=True,
        help_text=_("Left blank, it is the date of signing."),
        verbose_name=_("effective from"),
    )
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("Last day in force; blank for an open-ended agreement."),
        verbose_name=_("expires on"),
    )
    auto_renew = models.BooleanField(default=False, verbose_name=_("auto renew"))
    renewal_notice_days = models.PositiveSmallIntegerField(
        default=90, verbose_name=_("renewal notice days")
    )
    supersedes = models.ForeignKey(
        "self",
        # An agreement that a later one amends or renews is part of its record: keep it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text=_("The earlier memorandum this one amends or renews."),
        verbose_name=_("supersedes"),
    )
    visibility = models.CharField(
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        verbose_name=_("visibility"),
    )
    cooperation_areas = models.ManyToManyField(
        CooperationArea,
        blank=True,
        related_name="memoranda",
        verbose_name=_("cooperation areas"),
    )
    sdgs = models.ManyToManyField(
        SustainableDevelopmentGoal, blank=True, related_name="memoranda", verbose_name=_("SDGs")
    )
    tags = TaggableManager(blank=True, verbose_name=_("tags"))
    source_url = models.URLField(_("announcement"), max_length=500, blank=True)
    owner_unit = models.ForeignKey(
        OrganisationalUnit,
        # A unit that owns agreements is kept (or its agreements handed over) before it goes.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_memoranda",
        help_text=_("The unit of our institution that owns the agreement."),
        verbose_name=_("owner unit"),
    )
    owner_email = models.EmailField(blank=True, verbose_name=_("owner email"))
    internal_notes = models.TextField(blank=True, verbose_name=_("internal notes"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    # Computed by the database from the row itself, so it cannot go stale; not a term, not
    # recorded in the history.
    search_document = models.GeneratedField(
        expression=SearchDocument("reference", "title", "summary"),
        output_field=SearchDocumentField(),
        db_persist=True,
        verbose_name=_("search document"),
    )

    # The sha256 of a signed memorandum's terms (agreements/fingerprint.py), blank for any
    # other. Derived from the memorandum and its parts, so the services keep it
    # (`memorandum_derived_data_refresh`) and everything else only reads it.
    fingerprint = models.CharField(
        max_length=64, blank=True, default="", editable=False, verbose_name=_("fingerprint")
    )

    objects = MemorandumQuerySet.as_manager()
    history = MEMORANDUM_HISTORY

    constraint_error_fields = {
        "memorandum_signed_has_signed_on": "signed_on",
        "memorandum_expires_after_effective": "expires_on",
        "memorandum_not_own_supersedes": "supersedes",
    }

    class Meta:
        verbose_name = _("memorandum")
        verbose_name_plural = _("memoranda")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage="signed") | models.Q(signed_on__isnull=False),
                name="memorandum_signed_has_signed_on",
                violation_error_message=_("A signed memorandum needs the date it was signed."),
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(expires_on__gte=models.F("effective_from")),
                name="memorandum_expires_after_effective",
                violation_error_message=_(
                    "The expiry date must be on or after the date the memorandum takes effect."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(supersedes=models.F("id")),
                name="memorandum_not_own_supersedes",
                violation_error_message=_("A memorandum cannot supersede itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["stage"], name="memorandum_stage_idx"),
            models.Index(fields=["kind"], name="memorandum_kind_idx"),
            models.Index(fields=["visibility"], name="memorandum_visibility_idx"),
            models.Index(fields=["signed_on", "id"], name="memorandum_signed_on_idx"),
            models.Index(fields=["expires_on", "id"], name="memorandum_expires_on_idx"),
            models.Index(fields=["effective_from"], name="memorandum_effective_idx"),
            models.Index(fields=["updated_at", "id"], name="memorandum_updated_at_idx"),
            models.Index(fields=["title", "id"], name="memorandum_title_idx"),
            # The status's "superseded" test: the few signed successors, not every memorandum.
            models.Index(
                fields=["supersedes"],
                condition=models.Q(stage="signed", supersedes__isnull=False),
                name="memorandum_successor_idx",
            ),
            # Full-text search has PostgreSQL-only GIN indexes, made by migrations
            # (registry.migration_operations.AddPostgresIndex) and kept out of this list.
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def save(self, *args, **kwargs):
        if self.signed_on and not self.effective_from:
            self.effective_from = self.signed_on
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        """The derived status: the queryset's `with_status()` annotation when loaded with it,
        else the same SQL asked of the database for the memorandum as it is stored (so one
        not saved yet has none)."""
        if "_status" not in self.__dict__:
            return Memorandum.objects.with_status().values_list("status", flat=True).get(pk=self.pk)
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        # Set by the `with_status()` annotation.
        self._status = value

    def get_status_display(self) -> str:
        return Status(self.status).label

    def tag_names(self) -> list[str]:
        """The tags' names, sorted; from `tag_list` where a list prefetched it (`memorandum_list`:
        taggit's own prefetch builds a query per row even when it has the rows)."""
        tags = getattr(self, "tag_list", None)
        return sorted(tag.name for tag in (self.tags.all() if tags is None else tags))

    def clean_fields(self, exclude=None):
        self.reference = self.reference.strip()
        if self.signed_on and not self.effective_from:
            self.effective_from = self.signed_on
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.owner_unit_id is not None:
            home = home_institution()
            if home is not None and self.owner_unit.institution_id != home.pk:
                raise ValidationError(
                    {"owner_unit": f"The owner is one of our units: a unit of {home.label}."}
                )
        # The chain is followed in the database, not through (possibly stale) loaded objects.
        seen = {self.pk} if self.pk else set()
        earlier_id = self.supersedes_id
        while earlier_id is not None:
            if earlier_id in seen:
                raise ValidationError(
                    {
                        "supersedes": "This would make a cycle: the chosen memorandum already "
                        "(directly or through others) supersedes this one."
                    }
                )
            seen.add(earlier_id)
            earlier_id = (
                Memorandum.objects.filter(pk=earlier_id)
                .values_list("supersedes_id", flat=True)
                .first()
            )


class Party(PlainTextMixin, models.Model):
    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        COORDINATOR = "coordinator", _("Coordinator")
        WITNESS = "witness", _("Witness")
        OBSERVER = "observer", _("Observer")

    # Both columns are indexed by the constraint and the index below, each leading one.
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="parties",
        db_index=False,
        verbose_name=_("memorandum"),
    )
    institution = models.ForeignKey(
        Institution,
        # An institution that is party to an agreement cannot be deleted (merge it instead).
        on_delete=models.PROTECT,
        related_name="parties",
        db_index=False,
        verbose_name=_("institution"),
    )
    unit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        help_text=_("The unit of the institution that is the party, when it is one unit."),
        verbose_name=_("unit"),
    )
    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.PARTY, verbose_name=_("role")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    history = registry_history()

    UNIT_OF_OTHER_INSTITUTION = "The unit must belong to the party's institution."

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["memorandum", "institution"],
                name="party_unique_institution",
                violation_error_message=_(
                    "This institution is already a party of this memorandum."
                ),
            )
        ]
        indexes = [models.Index(fields=["institution", "memorandum"], name="party_institution_idx")]

    def __str__(self):
        return f"{self.institution.label} ({self.get_role_display()})"

    def clean(self):
        if self.unit_id is not None and self.unit.institution_id != self.institution_id:
            raise ValidationError({"unit": self.UNIT_OF_OTHER_INSTITUTION})


class Signatory(PlainTextMixin, models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remote")

    # Indexed by the unique constraint below, which it leads.
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="signatories",
        db_index=False,
        verbose_name=_("memorandum"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="signatures",
        help_text=_("The party the person signed for."),
        verbose_name=_("institution"),
    )
    position_at_signing = models.CharField(
        max_length=255, blank=True, verbose_name=_("position at signing")
    )
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    mode = models.CharField(
        max_length=20, choices=Mode.choices, default=Mode.IN_PERSON, verbose_name=_("mode")
    )

    history = registry_history()

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["memorandum", "person"],
                name="signatory_unique_person",
                violation_error_message=_("This person already signs this memorandum."),
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.institution.label})"


class Commitment(PlainTextMixin, FieldErrorConstraintsMixin, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("memorandum"),
    )
    area = models.ForeignKey(
        CooperationArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("area"),
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    responsible_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("responsible institution"),
    )
    due_on = models.DateField(null=True, blank=True, verbose_name=_("due on"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PLANNED, verbose_name=_("status")
    )
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))

    history = registry_history()

    constraint_error_fields = {"commitment_completed_only_when_done": "completed_on"}

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(status="done"),
                name="commitment_completed_only_when_done",
                violation_error_message=_(
                    "Only a commitment whose status is done has a completion date."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["due_on"], name="commitment_due_on_idx"),
            models.Index(fields=["status"], name="commitment_status_idx"),
        ]

    def __str__(self):
        return self.title


def document_upload_to(document: "Document", filename: str) -> str:
    # A generated name: an uploaded file's own name may collide, mislead or leak.
    suffix = Path(filename).suffix.lower()[:10]
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(PlainTextMixin, models.Model):
    class Kind(models.TextChoices):
        SIGNED_COPY = "signed_copy", _("Signed copy")
        DRAFT = "draft", _("Draft")
        ANNEX = "annex", _("Annex")
        OTHER = "other", _("Other")

    memorandum = models.ForeignKey(
        Memorandum, on_delete=models.CASCADE, related_name="documents", verbose_name=_("memorandum")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.SIGNED_COPY, verbose_name=_("kind")
    )
    file = models.FileField(upload_to=document_upload_to, verbose_name=_("file"))
    language = models.CharField(
        max_length=35, blank=True, help_text=_("e.g. en, ru, zh."), verbose_name=_("language")
    )
    sha256 = models.CharField(max_length=64, editable=False, verbose_name=_("sha256"))
    size = models.PositiveBigIntegerField(editable=False, verbose_name=_("size"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    history = registry_history()

    FILE_IS_FIXED = _(
        "A stored document's file cannot be replaced: its checksum is part of the signed terms. "
        "Upload the new file as a new document."
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The file is fixed once stored: its sha256 and size, recorded once, describe it, so
        # downloads and acknowledgements keep meaning what they meant.
        if self.pk is not None:
            stored = Document.objects.filter(pk=self.pk).values_list("file", flat=True).first()
            if stored is not None and stored != self.file.name:
                raise ValidationError({"file": self.FILE_IS_FIXED})
        if self.file and not self.sha256:
            digest = hashlib.sha256()
            for chunk in self.file.chunks():
                digest.update(chunk)
            self.sha256 = digest.hexdigest()
            self.size = self.file.size
        super().save(*args, **kwargs)


class Reminder(PlainTextMixin, models.Model):
    """One reminder mail about a memorandum's expiry or a commitment's due date.

    A row exists once per kind, memorandum or commitment, and date (the unique constraints):
    `send_reminders` inserts it in the transaction that sends the mail, so however often, late
    or concurrently the command runs, each reminder goes out once. A row that is `skipped` was
    passed over because a more urgent one about the same date was sent instead (catch-up).
    """

    class Kind(models.TextChoices):
        EXPIRY_180 = "expiry_180", _("180 days before expiry")
        EXPIRY_90 = "expiry_90", _("90 days before expiry")
        EXPIRY_30 = "expiry_30", _("30 days before expiry")
        COMMITMENT_DUE_14 = "commitment_due_14", _("14 days before a commitment is due")
        COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped: a more urgent reminder was sent instead")

    kind = models.CharField(max_length=30, choices=Kind.choices, verbose_name=_("kind"))
    memorandum = models.ForeignKey(
        Memorandum, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("memorandum")
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("commitment"),
    )
    due_on = models.DateField(
        help_text=_("The date the reminder is about: expiry or due date."), verbose_name=_("due on")
    )
    recipient = models.EmailField(blank=True, verbose_name=_("recipient"))
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, default=Outcome.SENT, verbose_name=_("outcome")
    )
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            # Two partial constraints, since NULLs are distinct in a plain unique constraint.
            models.UniqueConstraint(
                fields=["kind", "memorandum", "due_on"],
                condition=models.Q(commitment__isnull=True),
                name="reminder_once_per_memorandum_date",
            ),
            models.UniqueConstraint(
                fields=["kind", "commitment", "due_on"],
                condition=models.Q(commitment__isnull=False),
                name="reminder_once_per_commitment_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.due_on}) → {self.recipient or 'nobody'}"


def new_feed_key() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(PlainTextMixin, models.Model):
    """The secret in a user's calendar feed URL (`/api/v1/calendar.ics?token=...`).

    A calendar program cannot sign in, so the key alone stands for its user: the feed shows
    what that user may read. Revoking keeps the row (who had a feed, until when); a user has
    at most one token that is not revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
        verbose_name=_("user"),
    )
    key = models.CharField(
        max_length=64, unique=True, default=new_feed_key, editable=False, verbose_name=_("key")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    revoked_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("revoked at")
    )

    class Meta:
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_token_one_active_per_user",
                violation_error_message=_(
                    "This user already has a calendar feed; revoke it first."
                ),
            )
        ]

    def __str__(self):
        if self.revoked_at:
            return _("Calendar feed of %(user)s (revoked %(date)s)") % {
                "user": self.user,
                "date": f"{self.revoked_at:%Y-%m-%d}",
            }
        return _("Calendar feed of %(user)s (active)") % {"user": self.user}

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Acknowledgement(PlainTextMixin, models.Model):
    """A party's acknowledgement of a signed memorandum's terms, as they stood: the fingerprint
    it acknowledged (`agreements.fingerprint`).

    Rows are never deleted when the terms change: an acknowledgement of an earlier fingerprint
    shows as stale. One row per memorandum, institution and fingerprint (acknowledging the same
    terms again changes nothing).
    """

    # Both columns are indexed by the constraint and the index below, each leading one.
    memorandum = models.ForeignKey(
        Memorandum,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        db_index=False,
        verbose_name=_("memorandum"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        db_index=False,
        verbose_name=_("institution"),
    )
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    acknowledged_at = models.DateTimeField(default=timezone.now, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    history = registry_history()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["memorandum", "institution", "fingerprint"],
                name="acknowledgement_once_per_terms",
                violation_error_message=_("This party has already acknowledged these terms."),
            )
        ]
        indexes = [
            models.Index(fields=["institution", "memorandum"], name="acknowledgement_inst_idx")
        ]

    def __str__(self):
        return f"{self.institution.label} acknowledged {self.fingerprint[:12]}…"


class ApprovalRoute(PlainTextMixin, FieldErrorConstraintsMixin, models.Model):
    """The steps a memorandum of one kind passes through before it may be signed
    (agreements/approvals). A kind without a route is signed without approvals. A route of an
    owning unit governs the memoranda of that unit and of the units under it; the nearest such
    unit's route wins over the route of the whole kind."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(
        max_length=20,
        choices=Memorandum.Kind.choices,
        help_text=_("The memoranda of this kind follow this route."),
    )
    owner_unit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_routes",
        help_text=_(
            "Only memoranda owned by this unit or a unit under it; empty: every memorandum of "
            "the kind that no unit's route governs."
        ),
        verbose_name=_("owner unit"),
    )

    history = registry_history()

    constraint_error_fields = {
        "approval_route_unique_kind_unit": "kind",
        "approval_route_unique_kind": "kind",
    }

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_unit"],
                name="approval_route_unique_kind_unit",
                violation_error_message=_("This unit already has a route for this kind."),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(owner_unit__isnull=True),
                name="approval_route_unique_kind",
                violation_error_message=_("This kind already has a route for every unit."),
            ),
        ]

    def __str__(self):
        return self.name


class ApprovalStep(PlainTextMixin, models.Model):
    """One step of a route, decided by any member of its group."""

    route = models.ForeignKey(ApprovalRoute, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="approval_steps",
        help_text="Its members decide this step.",
    )

    history = registry_history()

    class Meta:
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "position"],
                name="approval_step_position_once",
                violation_error_message="Each position of a route holds one step.",
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"


class Approval(PlainTextMixin, models.Model):
    """Where one memorandum stands in its route: one row from its first submission on.

    `fingerprint` is that of the terms under approval (agreements/approvals/terms.py); a
    change of them sends the memorandum back to the first step.
    """

    class State(models.TextChoices):
        IN_APPROVAL = "in_approval", "In approval"
        APPROVED = "approved", "Approved"
        OVERRIDDEN = "overridden", "Approval overridden"
        RETURNED = "returned", "Returned"

    memorandum = models.OneToOneField(Memorandum, on_delete=models.CASCADE, related_name="approval")
    route = models.ForeignKey(ApprovalRoute, on_delete=models.PROTECT, related_name="approvals")
    state = models.CharField(max_length=20, choices=State.choices)
    current_step = models.ForeignKey(
        ApprovalStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waiting",
        help_text="The step that decides next; none once approved or returned.",
    )
    fingerprint = models.CharField(max_length=64)
    step_since = models.DateTimeField(default=timezone.now)

    history = registry_history()

    class Meta:
        indexes = [models.Index(fields=["state", "current_step"], name="approval_waiting_idx")]

    def __str__(self):
        return f"{self.memorandum.reference}: {self.get_state_display().lower()}"


class ApprovalDecision(PlainTextMixin, models.Model):
    """One event of a memorandum's approval, never changed afterwards: who, when, on which
    step, with which comment, for which terms (`fingerprint`)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"
        RESTARTED = "restarted", "Restarted: the terms changed"
        OVERRIDDEN = "overridden", "Overridden"

    memorandum = models.ForeignKey(
        Memorandum, on_delete=models.CASCADE, related_name="approval_decisions"
    )
    step = models.ForeignKey(
        ApprovalStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = registry_history()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.decided_at:%Y-%m-%d %H:%M})"
