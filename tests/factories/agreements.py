import datetime

import factory
from django.core.files.base import ContentFile

from agreements.models import Commitment, Document, Memorandum, Party, Signatory

from .base import RegistryFactory
from .partners import InstitutionFactory, PersonFactory


class MemorandumFactory(RegistryFactory):
    """A draft; see `SignedMemorandumFactory` for one in force with two parties."""

    class Meta:
        model = Memorandum
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"TEST-{n:05d}")
    title = factory.Sequence(lambda n: f"Memorandum of understanding number {n}")
    kind = Memorandum.Kind.MOU
    stage = Memorandum.Stage.DRAFT
    visibility = Memorandum.Visibility.PUBLIC


class SignedMemorandumFactory(MemorandumFactory):
    stage = Memorandum.Stage.SIGNED
    signed_on = datetime.date(2023, 5, 29)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        """Two fresh parties unless `parties=[institution, ...]` names them."""
        if not create:
            return
        institutions = extracted if extracted is not None else InstitutionFactory.create_batch(2)
        for order, institution in enumerate(institutions):
            Party.objects.create(memorandum=self, institution=institution, order=order)


class PartyFactory(RegistryFactory):
    class Meta:
        model = Party

    memorandum = factory.SubFactory(MemorandumFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Party.Role.PARTY


class SignatoryFactory(RegistryFactory):
    """A signatory of an institution that is already a party (pass `party=`)."""

    class Meta:
        model = Signatory
        exclude = ["party"]

    party = factory.SubFactory(PartyFactory)
    memorandum = factory.SelfAttribute("party.memorandum")
    institution = factory.SelfAttribute("party.institution")
    person = factory.SubFactory(PersonFactory, institution=factory.SelfAttribute("..institution"))
    position_at_signing = "Rector"
    mode = Signatory.Mode.IN_PERSON


class CommitmentFactory(RegistryFactory):
    class Meta:
        model = Commitment

    memorandum = factory.SubFactory(MemorandumFactory)
    title = factory.Sequence(lambda n: f"Joint workshop {n}")
    due_on = datetime.date(2024, 7, 1)
    status = Commitment.Status.PLANNED


class DocumentFactory(RegistryFactory):
    class Meta:
        model = Document

    memorandum = factory.SubFactory(MemorandumFactory)
    title = "Signed copy"
    kind = Document.Kind.SIGNED_COPY
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 signed copy", name="signed.pdf"))
    language = "en"
