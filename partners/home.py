"""Our own institution: the one the registry keeps agreements for, named by the setting
`REGISTRY_HOME_INSTITUTION` (its id, ROR id or short name)."""

from django.conf import settings
from django.db import models

from .models import Institution


def home_institution(institutions: type[models.Model] | None = None):
    """The institution the setting names, or None when it is unset or names none (or more than
    one). `institutions` is the model to ask, for migrations that hold a historical one."""
    institutions = institutions or Institution
    key = str(getattr(settings, "REGISTRY_HOME_INSTITUTION", "") or "").strip()
    if not key:
        return None
    lookups = [{"ror_id__iexact": key}, {"short_name__iexact": key}]
    if key.isdigit():
        lookups.insert(0, {"pk": int(key)})
    for lookup in lookups:
        matches = list(institutions.objects.filter(**lookup)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def home_institution_id() -> int | None:
    home = home_institution()
    return home.pk if home is not None else None
