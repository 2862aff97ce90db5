"""Reads of institutions and people, each through one visibility function (SPEC section 2)."""


def can_read_contact_details(user) -> bool:
    """Emails and phone numbers are never shown to anonymous visitors."""
    return user.is_authenticated
