"""Spreadsheet rows for the import, and what its results are compared with."""

import csv
import datetime
import io

from agreements.columns import COLUMNS
from agreements.importing.spreadsheet import memoranda_import, read_rows
from agreements.models import CooperationArea


def row(**values) -> dict:
    """A good row of a signed trilateral memorandum between NU and SUSTech, but for `values`."""
    base = {
        "reference": "MOU-2023-0001",
        "title": "Trilateral MoU",
        "kind": "mou",
        "stage": "signed",
        "parties": "NU; SUSTech",
        "party_countries": "KZ; CN",
        "signatories": "Shigeo Katsu (NU)",
        "cooperation_areas": "research; teaching",
        "signed_on": "2023-05-29",
        "expires_on": "",
        "auto_renew": "false",
        "visibility": "public",
        "sdgs": "4",
        "tags": "trilateral",
    }
    return base | values


COUNTRIES = {"NU": "KZ", "SUSTech": "CN", "New College": "GB", "Kyoto University": "JP"}


def parties(*names: str) -> dict:
    """The cells naming the parties `names` and their countries, in that order."""
    return {
        "parties": "; ".join(names),
        "party_countries": "; ".join(COUNTRIES[name] for name in names),
    }


def renewal_row(**values) -> dict:
    """The row of a renewal of the memorandum "EARLIER" until 28 May 2028, with its source."""
    return row(
        reference="BY-IMPORT",
        supersedes="EARLIER",
        expires_on="2028-05-28",
        source_url="https://nu.edu.kz/news/mou",
        sdgs="17; 4",
        **values,
    )


def row_terms(nu, sustech, **arguments) -> dict:
    """What `row()` says, as the keyword arguments of `memorandum_create` or
    `memorandum_update`, but for `arguments` (its signatory, a person, is left to them)."""
    return {
        "title": "Trilateral MoU",
        "kind": "mou",
        "stage": "signed",
        "visibility": "public",
        "signed_on": datetime.date(2023, 5, 29),
        "effective_from": None,
        "expires_on": None,
        "auto_renew": False,
        "source_url": "",
        "supersedes": None,
        "parties": [{"institution": nu}, {"institution": sustech}],
        "signatories": [],
        "cooperation_areas": list(
            CooperationArea.objects.filter(code__in=["research", "teaching"])
        ),
        "sdgs": [4],
        "tags": ["trilateral"],
    } | arguments


def csv_file(*rows: dict) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    for values in rows:
        writer.writerow({column: values.get(column, "") for column in COLUMNS})
    return io.BytesIO(text.getvalue().encode())


def import_csv(*rows: dict, dry_run=False, actor=None):
    return memoranda_import(rows=read_rows(csv_file(*rows), "csv"), actor=actor, dry_run=dry_run)
