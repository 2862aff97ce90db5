"""Memoranda and institutions as JSON-LD with the schema.org vocabulary.

`GET /api/v1/memoranda/{id}/?format=jsonld` and `GET /api/v1/institutions/?format=jsonld`
(also `memoranda/?format=jsonld` and `institutions/{id}/?format=jsonld`) answer
`application/ld+json`, built here from the same querysets as the JSON answers, so they show
exactly what the reader may see.

schema.org has no type for an agreement, so a memorandum is a `CreativeWork` whose `genre` is
its kind. Its parties (role party or coordinator) are its `creator`s, witnesses and observers
and the people who signed are `contributor`s, its cooperation areas and SDGs are `DefinedTerm`s
it is `about`, `dateCreated` is the day it was signed, `temporalCoverage` its term
(`2023-05-29/..` when open-ended) and `expires` its expiry. An institution is an `Organization`
whose `@id` and `identifier` are its ROR id as a URL (`https://ror.org/052bx8q98`) when it has
one, else its URL in this API; `additionalType` says which kind of organisation it is.
"""

from django.urls import reverse

SCHEMA_ORG = "https://schema.org"
ROR = "https://ror.org/"
SDG_SET = "https://sdgs.un.org/goals"
KIND_TYPES = {
    "university": "CollegeOrUniversity",
    "research_institute": "ResearchOrganization",
    "government": "GovernmentOrganization",
    "company": "Corporation",
    "ngo": "NGO",
}
CREATOR_ROLES = {"party", "coordinator"}


def _url(request, name: str, *args) -> str:
    path = reverse(name, args=args)
    return request.build_absolute_uri(path) if request is not None else path


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _compact(node: dict) -> dict:
    """Leave out what is empty: JSON-LD has no use for nulls and empty lists."""
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}


def organization_id(institution, request) -> str:
    if institution.ror_id:
        return ROR + institution.ror_id
    return _url(request, "institution-detail", institution.pk)


def organization(institution, request, *, full: bool = False) -> dict:
    """An institution as a schema.org Organization; `full` adds what its own record holds
    (aliases, founding date, description, parent), for the institutions list: it takes an
    institution of `institution_list`, whose `parent_visible` says whether the parent may be
    named."""
    api_url = _url(request, "institution-detail", institution.pk)
    node = {
        "@type": "Organization",
        "@id": organization_id(institution, request),
        "identifier": ROR + institution.ror_id if institution.ror_id else None,
        "sameAs": api_url if institution.ror_id else None,
        "additionalType": (
            f"{SCHEMA_ORG}/{KIND_TYPES[institution.kind]}"
            if institution.kind in KIND_TYPES
            else None
        ),
        "name": institution.name,
        "alternateName": institution.short_name or None,
        "url": institution.website or None,
        "address": _compact(
            {
                "@type": "PostalAddress",
                "addressCountry": institution.country.code or None,
                "addressLocality": institution.city or None,
            }
        ),
    }
    if full:
        names = [institution.short_name] if institution.short_name else []
        names += [alias.name for alias in institution.aliases.all()]
        node["alternateName"] = names
        node["foundingDate"] = _date(institution.established_on)
        node["description"] = institution.description or None
        # Named (by its ROR id or API URL) only to a reader who may see it (`institution_list`).
        if institution.parent_id and getattr(institution, "parent_visible", False):
            node["parentOrganization"] = {"@id": organization_id(institution.parent, request)}
    return _compact(node)


def _area(area, request) -> dict:
    return _compact(
        {
            "@type": "DefinedTerm",
            "termCode": area.code,
            "name": area.name,
            "inDefinedTermSet": _url(request, "cooperationarea-list"),
        }
    )


def _sdg(sdg) -> dict:
    return {
        "@type": "DefinedTerm",
        "termCode": f"SDG {sdg.number}",
        "name": sdg.name,
        "url": f"{SDG_SET}/goal{sdg.number}",
        "inDefinedTermSet": SDG_SET,
    }


def _signatory(signatory, request) -> dict:
    return _compact(
        {
            "@type": "Person",
            "name": signatory.person.full_name,
            "honorificPrefix": signatory.person.honorific or None,
            "jobTitle": signatory.position_at_signing or None,
            "affiliation": {"@id": organization_id(signatory.institution, request)},
        }
    )


def memorandum_node(memorandum, request, *, fingerprint: str | None = None) -> dict:
    """A memorandum as a schema.org CreativeWork (without `@context`), from the parts that
    `memorandum_list` prefetches."""
    parties = list(memorandum.parties.all())
    effective = memorandum.effective_from or memorandum.signed_on
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "reference", "value": memorandum.reference}
    ]
    if fingerprint:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "terms-sha256", "value": fingerprint}
        )
    supersedes_visible = getattr(memorandum, "supersedes_visible", True)
    node = {
        "@type": "CreativeWork",
        "@id": _url(request, "memorandum-detail", memorandum.pk),
        "url": (
            _url(request, "public-detail", memorandum.reference)
            if memorandum.visibility == "public"
            else None
        ),
        "identifier": identifiers,
        "name": memorandum.title,
        "genre": memorandum.get_kind_display(),
        "abstract": memorandum.summary or None,
        "creativeWorkStatus": memorandum.status,
        "dateCreated": _date(memorandum.signed_on),
        "locationCreated": (
            {"@type": "Place", "name": memorandum.signed_at} if memorandum.signed_at else None
        ),
        "temporalCoverage": (
            f"{effective.isoformat()}/{_date(memorandum.expires_on) or '..'}" if effective else None
        ),
        "expires": _date(memorandum.expires_on),
        "creator": [
            organization(party.institution, request)
            for party in parties
            if party.role in CREATOR_ROLES
        ],
        "contributor": [
            organization(party.institution, request)
            for party in parties
            if party.role not in CREATOR_ROLES
        ]
        + [_signatory(signatory, request) for signatory in memorandum.signatories.all()],
        "about": [
            *(
                _area(area, request)
                for area in sorted(memorandum.cooperation_areas.all(), key=lambda a: a.code)
            ),
            *(_sdg(sdg) for sdg in sorted(memorandum.sdgs.all(), key=lambda s: s.number)),
        ],
        "keywords": memorandum.tag_names(),
        "isBasedOn": (
            {"@id": _url(request, "memorandum-detail", memorandum.supersedes_id)}
            if memorandum.supersedes_id and supersedes_visible
            else None
        ),
        "subjectOf": (
            {"@type": "CreativeWork", "url": memorandum.source_url}
            if memorandum.source_url
            else None
        ),
        "version": memorandum.version,
        "dateModified": memorandum.updated_at.isoformat() if memorandum.updated_at else None,
    }
    return _compact(node)


def memorandum_document(memorandum, request, *, fingerprint: str | None = None) -> dict:
    return {"@context": SCHEMA_ORG, **memorandum_node(memorandum, request, fingerprint=fingerprint)}
