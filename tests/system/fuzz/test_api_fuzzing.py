"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation of `/api/v1/schema/` is called with generated requests, schema-valid ones and
schema-violating ones, as an editor, as a partner client and anonymously. Whatever is sent:
no 500 (or any 5xx), and every answer has a status, content type, headers and body that the
schema declares. The application is called in-process through its WSGI handler, inside the
test's transaction, so the database starts from the same small world for each operation.

`FUZZ_EXAMPLES` (default 6) bounds the examples per operation, mode and role. Without
`FUZZ_SEED` the examples are derandomized: every run (CI's) sends the same requests. `make fuzz`
hunts longer (`FUZZ_EXAMPLES=50`) with a fresh random `FUZZ_SEED` each time, and prints it, so
that a failure is replayed with `make fuzz SEED=...`. Each failure it finds is kept as a
regression test in the normal suite, beside the tests of the code it concerns.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agreements.models import Memorandum
from partners.models import PartnerLink
from registry.wsgi import application
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    InstitutionFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
    UserFactory,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = os.environ.get("FUZZ_SEED")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ["editor", "partner", "anonymous"]


def _openapi() -> dict:
    """The schema `/api/v1/schema/` serves, as JSON."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


SCHEMA = schemathesis.openapi.from_dict(_openapi())
OPERATIONS = sorted(
    (operation.ok().label for operation in SCHEMA.get_all_operations()),
)


@pytest.fixture
def in_process_requests():
    """As Django's test client does: requests leave the test's connection (and its open
    transaction) alone."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, settings):
    """A small world with ids low enough for the generator to hit, and a token per role."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    nu = InstitutionFactory(name="Nazarbayev University", short_name="NU")
    other = InstitutionFactory(name="Other University", short_name="OU", country="CN")
    for visibility in Memorandum.Visibility.values:
        memorandum = SignedMemorandumFactory(visibility=visibility, parties=[nu, other])
        SignatoryFactory(party=memorandum.parties.get(institution=nu))
        CommitmentFactory(memorandum=memorandum)
        DocumentFactory(memorandum=memorandum)
    editor = UserFactory(username="fuzz-editor", groups=["registry-editor"])
    partner = UserFactory(username="fuzz-partner")
    PartnerLink.objects.create(user=partner, institution=nu)
    return {
        "editor": {"Authorization": f"Token {Token.objects.create(user=editor).key}"},
        "partner": {"Authorization": f"Token {Token.objects.create(user=partner).key}"},
        "anonymous": {},
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_never_fails_and_answers_as_its_schema_says(
    label, role, credentials, in_process_requests
):
    operation = SCHEMA.find_operation_by_label(label)
    headers = credentials[role]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        # A failure is shrunk to its smallest request only in a seeded hunt (`make fuzz`),
        # whose report is read by a person; CI stops at the first.
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SEED else []),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def check(case):
        response = case.call(app=application, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    if SEED is not None:
        check = seed(int(SEED))(check)
    check()
