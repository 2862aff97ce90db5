from .agreements import (
    CommitmentFactory,
    DocumentFactory,
    MemorandumFactory,
    PartyFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from .partners import InstitutionFactory, PersonFactory
from .users import UserFactory

__all__ = [
    "CommitmentFactory",
    "DocumentFactory",
    "InstitutionFactory",
    "MemorandumFactory",
    "PartyFactory",
    "PersonFactory",
    "SignatoryFactory",
    "SignedMemorandumFactory",
    "UserFactory",
]
