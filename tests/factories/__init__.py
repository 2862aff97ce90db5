from .agreements import (
    CommitmentFactory,
    DocumentFactory,
    MemorandumFactory,
    PartyFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
)
from .jobs import JobFactory
from .partners import InstitutionFactory, PersonFactory
from .users import UserFactory

__all__ = [
    "CommitmentFactory",
    "DocumentFactory",
    "InstitutionFactory",
    "JobFactory",
    "MemorandumFactory",
    "PartyFactory",
    "PersonFactory",
    "SignatoryFactory",
    "SignedMemorandumFactory",
    "UserFactory",
]
