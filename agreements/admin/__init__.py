"""The staff's workplace: memoranda with their parts, cooperation areas, and the pages each
sub-domain adds (import, intake, export, calendar feeds, reminders)."""

from agreements.admin import areas, institutions, memoranda, people, units
from agreements.reminders import admin as reminders_admin

__all__ = ["areas", "institutions", "memoranda", "people", "reminders_admin", "units"]
