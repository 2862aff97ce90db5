"""API tokens: rotated (a new key, the old one stops working at once) or revoked (no key)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token


def api_token_rotate(*, username: str) -> Token:
    """A fresh key for the API client `username`; its previous key answers 401 from now on."""
    user = get_user_model().objects.get(username=username)
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, username: str) -> bool:
    """Remove the client's key (True if it had one); it answers 401 until rotated again."""
    user = get_user_model().objects.get(username=username)
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
