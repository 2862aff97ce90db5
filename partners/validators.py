import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Crockford base32 without i, l, o, u: the alphabet ROR identifiers are written in.
ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ROR_PATTERN = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")


def ror_checksum(first_seven: str) -> str:
    """ISO/IEC 7064 MOD 97-10 over the base32 number of the first seven characters."""
    number = 0
    for char in first_seven:
        number = number * 32 + ROR_ALPHABET.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def validate_ror_id(value: str) -> None:
    if not ROR_PATTERN.fullmatch(value):
        raise ValidationError(
            _(
                "Enter a ROR identifier: 0, six characters of 0-9 and a-z (no i, l, o, u) and two "
                "check digits, e.g. 052bx8q98."
            ),
            code="invalid_ror_format",
        )
    if ror_checksum(value[:7]) != value[7:]:
        raise ValidationError(
            _("This ROR identifier's check digits are wrong: check it for a typing mistake."),
            code="invalid_ror_checksum",
        )


# A SCHAC home organisation (the EWP hei_id): a lowercase domain name such as nu.edu.kz.
HEI_ID_PATTERN = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


def validate_hei_id(value: str) -> None:
    if len(value) > 253 or not HEI_ID_PATTERN.fullmatch(value):
        raise ValidationError(
            "Enter the institution's SCHAC code (its EWP hei_id): a domain name such as "
            "nu.edu.kz, in lowercase letters, digits, hyphens and dots.",
            code="invalid_hei_id",
        )
