from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from registry.characters import PlainTextMixin, validate_plain_text
from registry.constraints import FieldErrorConstraintsMixin
from registry.history import registry_history

from .names import match_key
from .validators import validate_hei_id, validate_ror_id

ROR_URL_PREFIXES = ("https://ror.org/", "http://ror.org/", "ror.org/")


class Institution(PlainTextMixin, FieldErrorConstraintsMixin, models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        UN_BODY = "un_body", _("UN body")
        GOVERNMENT = "government", _("Government")
        COMPANY = "company", _("Company")
        NGO = "ngo", _("NGO")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=255, verbose_name=_("name"))
    short_name = models.CharField(
        max_length=50, blank=True, help_text=_("Acronym, e.g. NU."), verbose_name=_("short name")
    )
    kind = models.CharField(
        max_length=32, choices=Kind.choices, default=Kind.UNIVERSITY, verbose_name=_("kind")
    )
    country = CountryField(verbose_name=_("country"))
    city = models.CharField(max_length=120, blank=True, verbose_name=_("city"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    ror_id = models.CharField(
        _("ROR id"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ror_id],
        help_text=_("Research Organization Registry identifier, e.g. 052bx8q98."),
    )
    hei_id = models.CharField(
        "EWP hei_id",
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_hei_id],
        help_text="The institution's SCHAC code in Erasmus Without Paper, e.g. nu.edu.kz.",
        error_messages={"unique": "Another institution already has this hei_id."},
    )
    erasmus_code = models.CharField(
        "Erasmus code", max_length=20, blank=True, help_text="e.g. D  BERLIN01."
    )
    parent = models.ForeignKey(
        "self",
        # A parent body cannot vanish while institutions still name it as theirs.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    established_on = models.DateField(null=True, blank=True, verbose_name=_("established on"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    # The name's distinctive words, kept for near-duplicate detection (partners/names.py).
    match_key = models.CharField(
        max_length=255, editable=False, default="", verbose_name=_("match key")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = registry_history(excluded_fields=["match_key"])

    constraint_error_fields = {
        "institution_unique_name_in_country": "name",
        "institution_not_own_parent": "parent",
    }

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="institution_unique_name_in_country",
                violation_error_message=_(
                    "An institution with this name already exists in this country."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="institution_not_own_parent",
                violation_error_message=_("An institution cannot be its own parent."),
            ),
        ]
        indexes = [
            models.Index(fields=["country"], name="institution_country_idx"),
            models.Index(fields=["kind"], name="institution_kind_idx"),
            models.Index(Lower("short_name"), name="institution_short_name_idx"),
            # Search and near-duplicate detection have PostgreSQL-only GIN indexes, made by
            # migrations (registry.migration_operations.AddPostgresIndex), not listed here.
        ]

    def __str__(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    def save(self, *args, **kwargs):
        self.match_key = match_key(self.name)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The name lists and exports show: the acronym when there is one."""
        return self.short_name or self.name

    def clean_fields(self, exclude=None):
        if self.ror_id:
            ror_id = self.ror_id.strip().lower()
            for prefix in ROR_URL_PREFIXES:
                ror_id = ror_id.removeprefix(prefix)
            self.ror_id = ror_id
        else:
            # Blank ROR ids are stored as NULL so that the unique constraint ignores them.
            self.ror_id = None
        # SCHAC codes are domain names: compared and stored in lowercase, NULL when blank.
        self.hei_id = (self.hei_id or "").strip().lower() or None
        super().clean_fields(exclude=exclude)

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("This parent would make a cycle of parents.")})
            ancestor = ancestor.parent


class InstitutionAlias(PlainTextMixin, models.Model):
    """Another name of an institution: a former name, a spelling, a name in another script.

    An alias in one of the interface's languages is what readers of that language see instead
    of the official name (partners.selectors.localized_name); one without a language is only
    found by search and matching."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("institution")
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The interface language this name is written in, if it is the institution's "
            "name in that language."
        ),
        verbose_name=_("language"),
    )

    history = registry_history()

    class Meta:
        verbose_name = _("institution alias")
        verbose_name_plural = _("institution aliases")
        ordering = ["name", "id"]
        constraints = [
            # The same name may be an institution's name in two languages (Kazakh and Russian).
            models.UniqueConstraint(
                "institution",
                Lower("name"),
                "language",
                name="institution_alias_unique_in_language",
                violation_error_message=_(
                    "This institution already has this alias in this language."
                ),
            ),
        ]
        indexes = [
            models.Index(Lower("name"), name="institution_alias_name_idx"),
        ]

    def __str__(self):
        return self.name


class OrganisationalUnit(PlainTextMixin, FieldErrorConstraintsMixin, models.Model):
    """A faculty, school, department, centre or office of an institution: units form a tree
    (faculty → department) within their institution."""

    class Kind(models.TextChoices):
        FACULTY = "faculty", "Faculty"
        SCHOOL = "school", "School"
        DEPARTMENT = "department", "Department"
        CENTRE = "centre", "Centre"
        OFFICE = "office", "Office"
        OTHER = "other", "Other"

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="units", db_index=False
    )
    parent = models.ForeignKey(
        "self",
        # A unit with units under it is reorganised first, never removed with them (unless its
        # whole institution goes, which takes its units with it).
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The unit this one belongs to, of the same institution.",
    )
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FACULTY)
    ounit_id = models.CharField(
        "EWP ounit_id",
        max_length=64,
        blank=True,
        help_text="The unit's identifier in Erasmus Without Paper, where it has one.",
    )
    ounit_code = models.CharField(
        "EWP ounit_code", max_length=64, blank=True, help_text="The unit's human-readable code."
    )
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names of the unit, one string each."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = registry_history()

    constraint_error_fields = {
        "unit_unique_name_in_institution": "name",
        "unit_unique_ounit_id_in_institution": "ounit_id",
        "unit_not_own_parent": "parent",
    }

    class Meta:
        verbose_name = "organisational unit"
        ordering = ["institution_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                "institution",
                Lower("name"),
                name="unit_unique_name_in_institution",
                violation_error_message="This institution already has a unit with this name.",
            ),
            models.UniqueConstraint(
                fields=["institution", "ounit_id"],
                condition=~models.Q(ounit_id=""),
                name="unit_unique_ounit_id_in_institution",
                violation_error_message="This institution already has a unit with this ounit_id.",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="unit_not_own_parent",
                violation_error_message="A unit cannot be its own parent.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude=exclude)
        aliases = self.aliases
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValidationError({"aliases": "Give the aliases as a list of names."})
        names: dict[str, str] = {}
        for alias in aliases:
            alias = alias.strip()
            if len(alias) > 255:
                raise ValidationError({"aliases": "An alias has at most 255 characters."})
            if alias:
                try:
                    validate_plain_text(alias)
                except ValidationError as error:
                    raise ValidationError({"aliases": error.messages}) from error
                names.setdefault(alias.casefold(), alias)
        self.aliases = list(names.values())

    def clean(self):
        if self.parent is None:
            return
        if self.institution_id is not None and self.parent.institution_id != self.institution_id:
            raise ValidationError(
                {"parent": "The parent unit must belong to the same institution."}
            )
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "This parent would make a cycle of units."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Person(PlainTextMixin, models.Model):
    honorific = models.CharField(
        max_length=30, blank=True, help_text=_("Prof., Dr., …"), verbose_name=_("honorific")
    )
    full_name = models.CharField(max_length=255, verbose_name=_("full name"))
    position = models.CharField(max_length=255, blank=True, verbose_name=_("position"))
    institution = models.ForeignKey(
        Institution,
        # People are what signatures point to; deleting their institution must not erase them.
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("institution"),
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = registry_history()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(Lower("full_name"), name="person_full_name_idx"),
        ]

    def __str__(self):
        return f"{self.honorific} {self.full_name}".strip()


class PartnerLink(PlainTextMixin, models.Model):
    """Links a user account (a partner's API client) to the institution it reads for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_link",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="partner_links",
        verbose_name=_("institution"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    # Who was linked to which institution, and by whom: the link decides what a client reads.
    history = registry_history()

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")

    def __str__(self):
        return f"{self.user} → {self.institution.label}"


class UnitEditorGrant(PlainTextMixin, models.Model):
    """Lets a `registry-unit-editor` edit the memoranda owned by `unit` and the units under it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_editor_grants"
    )
    unit = models.ForeignKey(
        OrganisationalUnit, on_delete=models.CASCADE, related_name="editor_grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who may edit for which unit, and who granted it.
    history = registry_history()

    class Meta:
        verbose_name = "unit editor grant"
        ordering = ["user_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit"],
                name="unit_editor_grant_once",
                violation_error_message="This user already edits for this unit.",
            )
        ]

    def __str__(self):
        return f"{self.user} edits for {self.unit.label}"
