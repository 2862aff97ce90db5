"""A Python client generated from the schema by openapi-python-client, as a partner developer
makes one (docs/api.md): every module imports, and it runs a partner's dashboard and an
auditor's calls against a live server, each answer parsed into the schema's models."""

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from agreements.fingerprint import fingerprint
from agreements.services import memorandum_create
from tests.factories import InstitutionFactory, SignedMemorandumFactory, UserFactory
from tests.support import partner_of

PACKAGE = "mou_registry_client"
# docs/api.md's configuration: the XLSX export read as bytes (the generator knows JSON, text
# and octet-stream bodies); and here, no formatting of the generated code, which saves time.
CONFIG = """\
post_hooks: []
content_type_overrides:
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_setup, django_db_blocker):
    folder = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    (folder / "schema.json").write_text(json.dumps(schema))
    (folder / "config.yml").write_text(CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            folder / "schema.json",
            "--config",
            folder / "config.yml",
            "--meta",
            "none",
            "--output-path",
            folder / PACKAGE,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_generated_module_imports(generated):
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib, pkgutil, sys; import " + PACKAGE + " as p; "
            "names = [m.name for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]; "
            "[importlib.import_module(n) for n in names]; print(len(names))",
        ],
        cwd=generated,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 100


def client_for(user, live_server):
    token, _ = Token.objects.get_or_create(user=user)
    return module("client").AuthenticatedClient(
        base_url=live_server.url, token=token.key, prefix="Token"
    )


# The live server reads committed rows; the migrated groups are restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_partner_dashboard_runs_on_the_generated_client(generated, live_server):
    nu = InstitutionFactory(short_name="NU")
    # Through the service, which records the fingerprint a partner acknowledges.
    ours = [
        memorandum_create(
            actor=UserFactory(),
            title=title,
            stage="signed",
            signed_on=datetime.date(2023, 5, 29),
            visibility="confidential",
            parties=[{"institution": nu}, {"institution": InstitutionFactory()}],
        )
        for title in ("Staff exchange", "Joint research", "Summer school")
    ]
    SignedMemorandumFactory(title="Someone else's", visibility="confidential")
    client = client_for(partner_of(nu), live_server)
    models = module("models")

    seen, page = [], 1
    while page is not None:
        answer = module("api.memoranda.memoranda_list").sync(client=client, page=page, page_size=2)
        assert isinstance(answer, models.PaginatedMemorandumList)
        seen += [memorandum.id for memorandum in answer.results]
        page = answer.next_page
    detail = module("api.memoranda.memoranda_retrieve").sync(ours[0].pk, client=client)
    stats = module("api.stats.stats_retrieve").sync(client=client)
    export = module("api.memoranda.memoranda_export_retrieve").sync_detailed(
        client=client, q="research"
    )
    xlsx = module("api.memoranda.memoranda_export_retrieve_xlsx").sync(client=client)
    acknowledge = module("api.memoranda.memoranda_acknowledge_create")
    acknowledged = acknowledge.sync(
        ours[0].pk,
        client=client,
        body=models.AcknowledgeRequest(fingerprint=detail.fingerprint),
    )
    stale = acknowledge.sync(
        ours[0].pk, client=client, body=models.AcknowledgeRequest(fingerprint="0" * 64)
    )

    assert sorted(seen) == sorted(m.pk for m in ours)
    assert isinstance(detail, models.Memorandum)
    assert detail.fingerprint == fingerprint(ours[0])
    assert isinstance(stats, models.Stats)
    assert export.status_code == 200
    assert [line.split(",")[1] for line in export.content.decode().splitlines()[1:]] == [
        "Joint research"
    ]
    assert xlsx.payload.read().startswith(b"PK")
    assert isinstance(acknowledged, models.Acknowledgement)
    assert acknowledged.state == models.AcknowledgementStateEnum.ACKNOWLEDGED
    assert isinstance(stale, models.Conflict)
    assert "fingerprint" in stale.additional_properties


# The live server reads committed rows; the migrated groups are restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_auditor_reads_history_and_the_audit_trail_on_the_generated_client(
    generated, live_server, auditor
):
    memorandum = SignedMemorandumFactory()
    client = client_for(auditor, live_server)
    models = module("models")

    history = module("api.memoranda.memoranda_history_list").sync(memorandum.pk, client=client)
    trail = module("api.audit.audit_export_retrieve_json").sync(client=client)
    refused = module("api.memoranda.memoranda_history_list").sync(0, client=client)

    assert isinstance(history, models.PaginatedHistoryEntryList)
    assert history.results[-1].model == models.HistoryModelEnum.MEMORANDUM
    assert any(row.additional_properties["object_id"] == memorandum.pk for row in trail)
    assert isinstance(refused, models.Error)
