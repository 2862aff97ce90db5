from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.measure import benchmark_steps, run_benchmark
from registry.progress import command_progress


class Command(BaseCommand):
    help = "Measure the registry on PostgreSQL beside hand-written references."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=Path(settings.BASE_DIR) / "bench" / "results.json"
        )
        parser.add_argument("--skip-import", action="store_true")

    def handle(self, *args, output: Path, skip_import: bool, **options):
        steps = benchmark_steps(skip_import=skip_import)
        try:
            with command_progress(
                self.stderr,
                total=len(steps),
                desc="Measuring",
                unit="steps",
                enabled=options["verbosity"] > 0,
            ) as bar:
                results = run_benchmark(
                    output, skip_import=skip_import, progress=lambda step: bar.update(1)
                )
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{results['memoranda']} memoranda, {results['repeat']} runs each")
        header = f"{'measure':<58} {'median':>9} {'p95':>9} {'reference':>10} {'ratio':>6}"
        self.stdout.write(header)
        for row in results["rows"]:
            reference = row.get("reference_median_ms")
            self.stdout.write(
                f"{row['measure']:<58} {row['median_ms']:>7} ms "
                f"{row.get('p95_ms', ''):>6} ms "
                f"{(str(reference) + ' ms') if reference is not None else '':>10} "
                f"{row.get('ratio', ''):>6}"
                + (f"  peak {row['peak_rss_mb']} MB" if "peak_rss_mb" in row else "")
                + (f"  {row['queries']} queries" if "queries" in row else "")
                + (f"  {row['rows_per_second']} rows/s" if "rows_per_second" in row else "")
            )
        self.stdout.write(f"Written to {output}")
