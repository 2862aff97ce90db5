"""`GET jobs/{id}/` and its result: for the job's owner alone, while their rights hold."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from jobs.models import Job
from jobs.services import job_finish
from tests.factories import JobFactory, UserFactory
from tests.support import api_client


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", is_staff=True, groups=["registry-editor"])


@pytest.fixture
def finished(owner):
    """A succeeded export of the owner's, made while they were an editor."""
    job = JobFactory(owner=owner, state=Job.State.RUNNING, audience="everything", total=4)
    return job_finish(
        job=job, messages=["4 memoranda exported."], result=ContentFile(b"PK"), result_name="m.xlsx"
    )


def test_the_owner_reads_the_state_progress_messages_and_result_url(owner, finished):
    response = api_client(owner).get(f"/api/v1/jobs/{finished.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {
        key: body[key] for key in ("kind", "state", "done", "total", "percent", "messages")
    } == {
        "kind": "export",
        "state": "succeeded",
        "done": 4,
        "total": 4,
        "percent": 100,
        "messages": ["4 memoranda exported."],
    }
    assert body["result_url"] == f"http://testserver/api/v1/jobs/{finished.pk}/result/"
    download = api_client(owner).get(body["result_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="m.xlsx"'
    assert b"".join(download.streaming_content) == b"PK"


@pytest.mark.parametrize("who", ["another editor", "a superuser", "anonymous"])
def test_nobody_else_reads_a_job_or_its_result(finished, who):
    user = {
        "another editor": lambda: UserFactory(groups=["registry-editor"]),
        "a superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
        "anonymous": lambda: None,
    }[who]()
    client = api_client(user)
    expected = 401 if user is None else 404
    assert client.get(f"/api/v1/jobs/{finished.pk}/").status_code == expected
    assert client.get(f"/api/v1/jobs/{finished.pk}/result/").status_code == expected


def test_the_result_is_not_served_once_the_owner_reads_less(owner, finished):
    owner.groups.set([Group.objects.get(name="registry-viewer")])
    client = api_client(owner)
    assert client.get(f"/api/v1/jobs/{finished.pk}/").json()["result_url"] is None
    assert client.get(f"/api/v1/jobs/{finished.pk}/result/").status_code == 404


def test_the_result_is_not_served_to_a_deactivated_owner(owner, finished):
    owner.is_active = False
    owner.save()
    assert api_client(owner).get(f"/api/v1/jobs/{finished.pk}/result/").status_code == 404


def test_an_unfinished_job_has_no_result(owner):
    job = JobFactory(owner=owner, state=Job.State.RUNNING, done=5, total=20)
    body = api_client(owner).get(f"/api/v1/jobs/{job.pk}/").json()
    assert (body["state"], body["percent"], body["result_url"]) == ("running", 25, None)
    assert api_client(owner).get(f"/api/v1/jobs/{job.pk}/result/").status_code == 404


@pytest.mark.parametrize("jobs", [1, 3])
def test_reading_a_job_takes_a_fixed_number_of_queries(owner, django_assert_num_queries, jobs):
    made = [JobFactory(owner=owner, audience="everything") for _ in range(jobs)]
    client = api_client(owner)
    # 1: the job with its owner (the owner's groups for the audience are not read: no result).
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/jobs/{made[-1].pk}/").status_code == 200


def test_the_admin_shows_a_progress_bar_that_follows_the_api(owner, client):
    job = JobFactory(owner=owner, state=Job.State.RUNNING, done=5, total=20)
    other = JobFactory(owner=UserFactory(is_staff=True))
    client.force_login(owner)

    page = client.get(f"/admin/jobs/job/{job.pk}/change/")
    content = page.content.decode()
    assert page.status_code == 200
    assert f'data-url="/api/v1/jobs/{job.pk}/"' in content
    assert '<progress max="100" value="25">' in content
    assert "/static/jobs/progress.js" in content
    listing = client.get("/admin/jobs/job/").content.decode()
    assert job.label in listing and other.label not in listing
    assert client.get(f"/admin/jobs/job/{other.pk}/change/").status_code == 302  # not found
