"""Who may read people's contact details. Which institutions and people a user may see
depends on the agreements it may read: `agreements.selectors` holds those gates."""


def can_read_contact_details(user) -> bool:
    """Emails and phone numbers are never shown to anonymous visitors."""
    return user.is_authenticated
