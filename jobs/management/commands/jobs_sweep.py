from django.core.management.base import BaseCommand

from jobs.services import jobs_sweep


class Command(BaseCommand):
    help = (
        "Fail the running jobs whose worker stopped reporting (JOB_STALE_SECONDS) and delete "
        "the jobs and result files older than JOB_RESULT_DAYS. Workers do it before each job; "
        "run it daily too (the compose file's scheduler does)."
    )

    def handle(self, *args, **options):
        failed, deleted = jobs_sweep()
        self.stdout.write(f"{failed} stale job(s) failed, {deleted} expired job(s) deleted.")
