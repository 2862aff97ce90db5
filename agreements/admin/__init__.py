"""The staff's workplace: memoranda with their parts, cooperation areas, and the pages each
sub-domain adds (import, intake, export, calendar feeds, reminders, approval routes)."""

from agreements.admin import areas, institutions, memoranda, people, units
from agreements.approvals import admin as approvals_admin
from agreements.reminders import admin as reminders_admin

__all__ = [
    "approvals_admin",
    "areas",
    "institutions",
    "memoranda",
    "people",
    "reminders_admin",
    "units",
]
