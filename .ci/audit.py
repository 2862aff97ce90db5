"""pip-audit of the project's virtualenv, for CI.

Fails when a vulnerability is known for an installed package. pip-audit asks the PyPI JSON API
(or OSV) about each package; where that service cannot be reached (a CI machine that reaches
only a package mirror answers 404 for every package, so each is "skipped"), nothing could be
audited: that is reported, not failed, since it says nothing about the packages.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

VENV_PYTHON = Path(".venv/bin/python")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        completed = subprocess.run(
            [str(VENV_PYTHON), "-m", "pip_audit", "--progress-spinner", "off"]
            + ["--format", "json", "--output", str(report), "--timeout", "30"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if not report.exists() or not report.read_text().strip():
            print(completed.stdout + completed.stderr)
            print("pip-audit: the vulnerability service could not be reached; NOT AUDITED.")
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable packages.")
        return 1
    if not audited:
        print(
            f"pip-audit: none of the {len(dependencies)} packages could be audited (the "
            "vulnerability service is not reachable from here); NOT AUDITED, not failed."
        )
        return 0
    skipped = len(dependencies) - len(audited)
    print(f"pip-audit: {len(audited)} packages audited, none vulnerable ({skipped} skipped).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
