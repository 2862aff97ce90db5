"""The memorandum admin's pages."""

from django.urls import reverse

CHANGELIST = reverse("admin:agreements_memorandum_changelist")
ADD = reverse("admin:agreements_memorandum_add")


def change_url(memorandum) -> str:
    return reverse("admin:agreements_memorandum_change", args=[memorandum.pk])


def renew_url(memorandum) -> str:
    return reverse("admin:agreements_memorandum_renew", args=[memorandum.pk])
