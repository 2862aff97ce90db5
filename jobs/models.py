"""A job: work that runs in a worker process (django-tasks) while its owner watches it."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"
        REMINDERS = "reminders", "Reminders"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    UNFINISHED = (State.QUEUED, State.RUNNING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=200, help_text="What the job does, as its owner reads it.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    # What the work needs (the export's filters...), in JSON. `input_file`, when present, names
    # a file in the storage the job reads: its work deletes it, the sweep deletes it with the job.
    parameters = models.JSONField(default=dict, blank=True)
    # The sha256 of the file an import reads: the same file is not imported twice at once.
    input_sha256 = models.CharField(max_length=64, blank=True)
    # The owner's reading rights when the job was made (`JOBS_AUDIENCE`): its result is served
    # only while they are the same.
    audience = models.CharField(max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    messages = models.JSONField(default=list, blank=True)
    result = models.FileField(upload_to="jobs/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with each progress report: a running job whose worker stopped reporting for
    # JOB_STALE_SECONDS is failed by the sweep (`jobs_sweep`).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the result and the record are deleted (JOB_RESULT_DAYS after the job finished).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "input_sha256"],
                condition=Q(state__in=["queued", "running"]) & ~Q(input_sha256=""),
                name="jobs_same_input_once_at_a_time",
                violation_error_message="The same file is already being imported.",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_state_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.State.SUCCEEDED else None
        return min(100, self.done * 100 // self.total)
