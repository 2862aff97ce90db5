"""The demo data: the reference case of the SPEC in full and a few dozen more agreements.

Apart from the reference case (Nazarbayev University, UNESCO-ICHEI and SUSTech, 2023-05-29),
the agreements, their terms and the people who sign them are illustrative: the institutions are
real, the memoranda between them are not. ROR ids are given only where they are known to be
the institution's own; the others are left blank.

`load_demo()` is idempotent: institutions are matched by (name, country), people by (full
name, institution) and memoranda by their fixed reference. An institution or person that
differs from the data here is updated in place; a memorandum whose reference is already taken
is left alone, so that a second run changes nothing and creates nothing.

A few dates are relative to the day of loading (`FromToday`), so that a fresh load always has
pending agreements and agreements expiring within 90 and 180 days. They are resolved once, when
the memorandum is created; signing dates are fixed, so that a reference's year is always the
year of signing.
"""

import dataclasses
import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from partners.models import Institution, InstitutionAlias, Person

from .models import CooperationArea, Memorandum, ReferenceCounter
from .services import REFERENCE_PREFIX, memorandum_create

D = datetime.date


@dataclasses.dataclass(frozen=True)
class FromToday:
    """A date this many days after (negative: before) the day the demo data is loaded."""

    days: int

    def resolve(self, today: datetime.date) -> datetime.date:
        return today + datetime.timedelta(days=self.days)


OWNER_UNIT = "International Cooperation Office"
OWNER_EMAIL = "intl-office@example.org"

UNIVERSITY = Institution.Kind.UNIVERSITY
RESEARCH_INSTITUTE = Institution.Kind.RESEARCH_INSTITUTE
UN_BODY = Institution.Kind.UN_BODY
GOVERNMENT = Institution.Kind.GOVERNMENT
COMPANY = Institution.Kind.COMPANY
NGO = Institution.Kind.NGO
OTHER = Institution.Kind.OTHER

# Each institution has a `key` the people and memoranda below refer to it by. A parent comes
# before the institutions that name it. `established_on` is the first of January where only
# the year is known.
INSTITUTIONS: list[dict[str, Any]] = [
    # The reference case.
    {
        "key": "NU",
        "name": "Nazarbayev University",
        "short_name": "NU",
        "kind": UNIVERSITY,
        "country": "KZ",
        "city": "Astana",
        "website": "https://nu.edu.kz",
        "ror_id": "052bx8q98",
        "established_on": D(2010, 1, 1),
        "aliases": ["Назарбаев Университет"],
        "description": "Autonomous research university in Astana, established in 2010.",
    },
    {
        "key": "UNESCO",
        "name": "United Nations Educational, Scientific and Cultural Organization",
        "short_name": "UNESCO",
        "kind": UN_BODY,
        "country": "FR",
        "city": "Paris",
        "website": "https://www.unesco.org",
        "established_on": D(1945, 11, 16),
        "aliases": ["Organisation des Nations Unies pour l'éducation, la science et la culture"],
        "description": "Specialised agency of the United Nations for education, the sciences "
        "and culture.",
    },
    {
        "key": "UNESCO-ICHEI",
        "name": "International Centre for Higher Education Innovation under the auspices of UNESCO",
        "short_name": "UNESCO-ICHEI",
        "kind": UN_BODY,
        "country": "CN",
        "city": "Shenzhen",
        "website": "https://en.ichei.org",
        "established_on": D(2016, 6, 8),
        "parent": "UNESCO",
        "aliases": ["联合国教科文组织高等教育创新中心"],
        "description": "A UNESCO category II centre, founded on 2016-06-08 in Shenzhen; it runs "
        "the International Institute for Online Education (IIOE).",
    },
    {
        "key": "SUSTech",
        "name": "Southern University of Science and Technology",
        "short_name": "SUSTech",
        "kind": UNIVERSITY,
        "country": "CN",
        "city": "Shenzhen",
        "website": "https://www.sustech.edu.cn",
        "ror_id": "049tv2d57",
        "established_on": D(2010, 1, 1),
        "aliases": ["南方科技大学"],
        "description": "Public research university in Shenzhen, established in 2010.",
    },
    # Partners of the illustrative agreements.
    {
        "key": "Cambridge",
        "name": "University of Cambridge",
        "kind": UNIVERSITY,
        "country": "GB",
        "city": "Cambridge",
        "website": "https://www.cam.ac.uk",
        "ror_id": "013meh722",
    },
    {
        "key": "ETH",
        "name": "ETH Zurich",
        "short_name": "ETH",
        "kind": UNIVERSITY,
        "country": "CH",
        "city": "Zurich",
        "website": "https://ethz.ch",
        "ror_id": "05a28rw58",
        "aliases": ["Eidgenössische Technische Hochschule Zürich"],
    },
    {
        "key": "NUS",
        "name": "National University of Singapore",
        "short_name": "NUS",
        "kind": UNIVERSITY,
        "country": "SG",
        "city": "Singapore",
        "website": "https://nus.edu.sg",
        "ror_id": "01tgyzw49",
    },
    {
        "key": "Tsinghua",
        "name": "Tsinghua University",
        "short_name": "THU",
        "kind": UNIVERSITY,
        "country": "CN",
        "city": "Beijing",
        "website": "https://www.tsinghua.edu.cn",
        "ror_id": "03cve4549",
        "aliases": ["清华大学"],
    },
    {
        "key": "UTokyo",
        "name": "The University of Tokyo",
        "short_name": "UTokyo",
        "kind": UNIVERSITY,
        "country": "JP",
        "city": "Tokyo",
        "website": "https://www.u-tokyo.ac.jp",
        "ror_id": "057zh3y96",
        "aliases": ["東京大学"],
    },
    {
        "key": "SNU",
        "name": "Seoul National University",
        "short_name": "SNU",
        "kind": UNIVERSITY,
        "country": "KR",
        "city": "Seoul",
        "website": "https://www.snu.ac.kr",
        "ror_id": "04h9pn542",
        "aliases": ["서울대학교"],
    },
    {
        "key": "KAIST",
        "name": "Korea Advanced Institute of Science and Technology",
        "short_name": "KAIST",
        "kind": UNIVERSITY,
        "country": "KR",
        "city": "Daejeon",
        "website": "https://www.kaist.ac.kr",
        "ror_id": "05apxxy63",
    },
    {
        "key": "Melbourne",
        "name": "University of Melbourne",
        "kind": UNIVERSITY,
        "country": "AU",
        "city": "Melbourne",
        "website": "https://www.unimelb.edu.au",
        "ror_id": "01ej9dk98",
    },
    {
        "key": "Toronto",
        "name": "University of Toronto",
        "short_name": "U of T",
        "kind": UNIVERSITY,
        "country": "CA",
        "city": "Toronto",
        "website": "https://www.utoronto.ca",
        "ror_id": "03dbr7087",
    },
    {
        "key": "Sorbonne",
        "name": "Sorbonne University",
        "kind": UNIVERSITY,
        "country": "FR",
        "city": "Paris",
        "website": "https://www.sorbonne-universite.fr",
        "ror_id": "02en5vm52",
        "aliases": ["Sorbonne Université"],
    },
    {
        "key": "TUM",
        "name": "Technical University of Munich",
        "short_name": "TUM",
        "kind": UNIVERSITY,
        "country": "DE",
        "city": "Munich",
        "website": "https://www.tum.de",
        "ror_id": "02kkvpp62",
        "aliases": ["Technische Universität München"],
    },
    {
        "key": "Heidelberg",
        "name": "Heidelberg University",
        "kind": UNIVERSITY,
        "country": "DE",
        "city": "Heidelberg",
        "website": "https://www.uni-heidelberg.de",
        "aliases": ["Ruprecht-Karls-Universität Heidelberg"],
    },
    {
        "key": "KU Leuven",
        "name": "KU Leuven",
        "kind": UNIVERSITY,
        "country": "BE",
        "city": "Leuven",
        "website": "https://www.kuleuven.be",
        "ror_id": "05f950310",
        "aliases": ["Katholieke Universiteit Leuven"],
    },
    {
        "key": "UCT",
        "name": "University of Cape Town",
        "short_name": "UCT",
        "kind": UNIVERSITY,
        "country": "ZA",
        "city": "Cape Town",
        "website": "https://www.uct.ac.za",
        "ror_id": "03p74gp79",
    },
    {
        "key": "USP",
        "name": "Universidade de São Paulo",
        "short_name": "USP",
        "kind": UNIVERSITY,
        "country": "BR",
        "city": "São Paulo",
        "website": "https://www5.usp.br",
        "ror_id": "036rp1748",
        "aliases": ["University of São Paulo"],
    },
    {
        "key": "UNAM",
        "name": "Universidad Nacional Autónoma de México",
        "short_name": "UNAM",
        "kind": UNIVERSITY,
        "country": "MX",
        "city": "Mexico City",
        "website": "https://www.unam.mx",
        "ror_id": "01tmp8f25",
        "aliases": ["National Autonomous University of Mexico"],
    },
    {
        "key": "UChile",
        "name": "Universidad de Chile",
        "kind": UNIVERSITY,
        "country": "CL",
        "city": "Santiago",
        "website": "https://uchile.cl",
        "aliases": ["University of Chile"],
    },
    {
        "key": "IITB",
        "name": "Indian Institute of Technology Bombay",
        "short_name": "IIT Bombay",
        "kind": UNIVERSITY,
        "country": "IN",
        "city": "Mumbai",
        "website": "https://www.iitb.ac.in",
        "ror_id": "02qyf5152",
    },
    {
        "key": "METU",
        "name": "Middle East Technical University",
        "short_name": "METU",
        "kind": UNIVERSITY,
        "country": "TR",
        "city": "Ankara",
        "website": "https://www.metu.edu.tr",
        "ror_id": "014weej12",
        "aliases": ["Orta Doğu Teknik Üniversitesi", "ODTÜ"],
    },
    {
        "key": "KazNU",
        "name": "Al-Farabi Kazakh National University",
        "short_name": "KazNU",
        "kind": UNIVERSITY,
        "country": "KZ",
        "city": "Almaty",
        "website": "https://www.kaznu.kz",
        "ror_id": "03q0vrn42",
        "aliases": ["Казахский национальный университет имени аль-Фараби"],
    },
    {
        "key": "ENU",
        "name": "L.N. Gumilyov Eurasian National University",
        "short_name": "ENU",
        "kind": UNIVERSITY,
        "country": "KZ",
        "city": "Astana",
        "website": "https://enu.kz",
        "aliases": ["Евразийский национальный университет имени Л. Н. Гумилёва"],
    },
    {
        "key": "MSHE-KZ",
        "name": "Ministry of Science and Higher Education of the Republic of Kazakhstan",
        "short_name": "MSHE",
        "kind": GOVERNMENT,
        "country": "KZ",
        "city": "Astana",
        "website": "https://www.gov.kz/memleket/entities/sci",
    },
    {
        "key": "Astana Hub",
        "name": "Astana Hub",
        "kind": OTHER,
        "country": "KZ",
        "city": "Astana",
        "website": "https://astanahub.com",
        "description": "International technology park of IT start-ups.",
    },
    {
        "key": "TSTU",
        "name": "Tashkent State Technical University",
        "short_name": "TSTU",
        "kind": UNIVERSITY,
        "country": "UZ",
        "city": "Tashkent",
        "aliases": ["Islam Karimov Tashkent State Technical University"],
    },
    {
        "key": "NUUz",
        "name": "National University of Uzbekistan",
        "short_name": "NUUz",
        "kind": UNIVERSITY,
        "country": "UZ",
        "city": "Tashkent",
        "aliases": ["Mirzo Ulug'bek nomidagi O'zbekiston Milliy universiteti"],
    },
    {
        "key": "AUCA",
        "name": "American University of Central Asia",
        "short_name": "AUCA",
        "kind": UNIVERSITY,
        "country": "KG",
        "city": "Bishkek",
        "website": "https://auca.kg",
    },
    {
        "key": "Nairobi",
        "name": "University of Nairobi",
        "short_name": "UoN",
        "kind": UNIVERSITY,
        "country": "KE",
        "city": "Nairobi",
        "website": "https://www.uonbi.ac.ke",
        "ror_id": "02y9nww90",
    },
    {
        "key": "Charles",
        "name": "Charles University",
        "short_name": "CUNI",
        "kind": UNIVERSITY,
        "country": "CZ",
        "city": "Prague",
        "website": "https://cuni.cz",
        "ror_id": "024d6js02",
        "aliases": ["Univerzita Karlova"],
    },
    {
        "key": "Helsinki",
        "name": "University of Helsinki",
        "kind": UNIVERSITY,
        "country": "FI",
        "city": "Helsinki",
        "website": "https://www.helsinki.fi",
        "aliases": ["Helsingin yliopisto"],
    },
    {
        "key": "PKU",
        "name": "Peking University",
        "short_name": "PKU",
        "kind": UNIVERSITY,
        "country": "CN",
        "city": "Beijing",
        "website": "https://www.pku.edu.cn",
        "ror_id": "02v51f717",
        "aliases": ["北京大学"],
    },
    {
        "key": "ISTA",
        "name": "Institute of Science and Technology Austria",
        "short_name": "ISTA",
        "kind": RESEARCH_INSTITUTE,
        "country": "AT",
        "city": "Klosterneuburg",
        "website": "https://ista.ac.at",
    },
    {
        "key": "UIL",
        "name": "UNESCO Institute for Lifelong Learning",
        "short_name": "UIL",
        "kind": UN_BODY,
        "country": "DE",
        "city": "Hamburg",
        "website": "https://www.uil.unesco.org",
        "parent": "UNESCO",
    },
    {
        "key": "Huawei",
        "name": "Huawei Technologies Co., Ltd.",
        "short_name": "Huawei",
        "kind": COMPANY,
        "country": "CN",
        "city": "Shenzhen",
        "website": "https://www.huawei.com",
    },
    {
        "key": "ACU",
        "name": "Association of Commonwealth Universities",
        "short_name": "ACU",
        "kind": NGO,
        "country": "GB",
        "city": "London",
        "website": "https://www.acu.ac.uk",
    },
]

# The reference case's three people, then illustrative counterparts.
PEOPLE: list[dict[str, Any]] = [
    {
        "key": "katsu",
        "full_name": "Shigeo Katsu",
        "position": "President",
        "institution": "NU",
    },
    {
        "key": "han-wei",
        "honorific": "Prof.",
        "full_name": "Han Wei",
        "position": "Executive Deputy Director",
        "institution": "UNESCO-ICHEI",
    },
    {
        "key": "lu-chun",
        "honorific": "Prof.",
        "full_name": "Lu Chun",
        "position": "Vice President and Chief Operating Officer",
        "institution": "SUSTech",
    },
    {
        "key": "nu-provost",
        "honorific": "Prof.",
        "full_name": "Daniyar Akhmetov",
        "position": "Provost",
        "institution": "NU",
        "email": "d.akhmetov@example.org",
    },
    {
        "key": "nu-vp-intl",
        "honorific": "Dr.",
        "full_name": "Aigerim Sarsenova",
        "position": "Vice Provost for International Cooperation",
        "institution": "NU",
        "email": "a.sarsenova@example.org",
        "phone": "+7 7172 000001",
    },
    {
        "key": "cambridge-pvc",
        "honorific": "Prof.",
        "full_name": "Eleanor Whitfield",
        "position": "Pro-Vice-Chancellor for International Affairs",
        "institution": "Cambridge",
    },
    {
        "key": "eth-vp",
        "honorific": "Prof.",
        "full_name": "Lukas Brunner",
        "position": "Vice President for Knowledge Transfer and Corporate Relations",
        "institution": "ETH",
    },
    {
        "key": "utokyo-evp",
        "honorific": "Prof.",
        "full_name": "Hiroshi Tanaka",
        "position": "Executive Vice President",
        "institution": "UTokyo",
    },
    {
        "key": "melbourne-dvc",
        "honorific": "Prof.",
        "full_name": "Sarah Mitchell",
        "position": "Deputy Vice-Chancellor (International)",
        "institution": "Melbourne",
    },
    {
        "key": "tsinghua-vp",
        "honorific": "Prof.",
        "full_name": "Zhang Lei",
        "position": "Vice President",
        "institution": "Tsinghua",
    },
    {
        "key": "leuven-vr",
        "honorific": "Prof.",
        "full_name": "Pieter Janssens",
        "position": "Vice-Rector for International Policy",
        "institution": "KU Leuven",
    },
    {
        "key": "metu-vp",
        "honorific": "Prof.",
        "full_name": "Ayşe Yılmaz",
        "position": "Vice President for International Relations",
        "institution": "METU",
    },
    {
        "key": "kaznu-vr",
        "honorific": "Prof.",
        "full_name": "Nurlan Abenov",
        "position": "Vice-Rector for Academic Affairs",
        "institution": "KazNU",
    },
    {
        "key": "enu-vr",
        "honorific": "Prof.",
        "full_name": "Gulnara Omarova",
        "position": "Vice-Rector for Science",
        "institution": "ENU",
    },
    {
        "key": "ichei-director",
        "honorific": "Dr.",
        "full_name": "Chen Xiaoming",
        "position": "Director of the IIOE Secretariat",
        "institution": "UNESCO-ICHEI",
    },
    {
        "key": "tstu-rector",
        "honorific": "Prof.",
        "full_name": "Bakhodir Karimov",
        "position": "Rector",
        "institution": "TSTU",
    },
    {
        "key": "huawei-director",
        "full_name": "Liu Yang",
        "position": "Director, Huawei ICT Academy Programme, Central Asia",
        "institution": "Huawei",
    },
    {
        "key": "nuuz-rector",
        "honorific": "Prof.",
        "full_name": "Dilshod Rakhimov",
        "position": "Rector",
        "institution": "NUUz",
    },
    {
        "key": "nairobi-dvc",
        "honorific": "Prof.",
        "full_name": "Grace Wanjiru",
        "position": "Deputy Vice-Chancellor (Research, Innovation and Enterprise)",
        "institution": "Nairobi",
    },
    {
        "key": "eth-rector",
        "honorific": "Prof.",
        "full_name": "Martina Keller",
        "position": "Rector",
        "institution": "ETH",
    },
]

AREA_CODES = [
    "capacity-building",
    "teaching",
    "research",
    "knowledge-dissemination",
    "online-education",
    "joint-bidding",
    "student-mobility",
    "staff-mobility",
    "joint-programmes",
    "professional-development",
]

REFERENCE_CASE = "MOU-2023-0001"

# Each memorandum's parties are institution keys (or (key, role) pairs) in order; its
# signatories are (person key, mode) pairs and sign for the person's institution on the day
# of signing; a commitment names its area by code and its responsible institution by key.
# `supersedes` is the reference of an earlier memorandum listed before it.
MEMORANDA: list[dict[str, Any]] = [
    # The reference case, recorded in full.
    {
        "reference": REFERENCE_CASE,
        "title": "Trilateral Memorandum of Understanding between Nazarbayev University, "
        "UNESCO-ICHEI and SUSTech",
        "kind": "mou",
        "stage": "signed",
        "summary": "Nazarbayev University, the International Centre for Higher Education "
        "Innovation under the auspices of UNESCO (UNESCO-ICHEI) and the Southern University of "
        "Science and Technology (SUSTech) agree to cooperate in capacity building (third-party "
        "training programmes), teaching, research and the dissemination of knowledge; in "
        "participation in the International Institute for Online Education (IIOE); and in joint "
        "bidding for international consultancies and research work. NU President Shigeo Katsu "
        "hosted the signing in Astana; Prof. Han Wei, Executive Deputy Director of "
        "UNESCO-ICHEI, was present, and Prof. Lu Chun, Vice President and Chief Operating "
        "Officer of SUSTech, took part online.",
        "signed_on": D(2023, 5, 29),
        "signed_at": "Astana, Kazakhstan",
        "visibility": "public",
        "parties": ["NU", "UNESCO-ICHEI", "SUSTech"],
        "signatories": [("katsu", "in_person"), ("han-wei", "in_person"), ("lu-chun", "remote")],
        "areas": [
            "capacity-building",
            "teaching",
            "research",
            "knowledge-dissemination",
            "online-education",
            "joint-bidding",
        ],
        "sdgs": [4],
        "tags": ["trilateral", "iioe"],
        "commitments": [
            {
                "title": "Invitation to the launching ceremony of the micro-certification "
                "programme for university teachers",
                "description": "UNESCO-ICHEI invites NU to the launch of its micro-certification "
                "programme for university teachers (July 2023).",
                "area": "professional-development",
                "responsible": "UNESCO-ICHEI",
                "due_on": D(2023, 7, 31),
                "status": "done",
                "completed_on": D(2023, 7, 31),
            },
            {
                "title": "Invitation to the IIOE Global Partners Summit",
                "description": "UNESCO-ICHEI invites NU to the IIOE Global Partners Summit "
                "(December 2023).",
                "area": "online-education",
                "responsible": "UNESCO-ICHEI",
                "due_on": D(2023, 12, 31),
                "status": "done",
                "completed_on": D(2023, 12, 31),
            },
        ],
    },
    # University of Cambridge: a 2017 MoU, renewed in 2022 (so the first is superseded).
    {
        "reference": "MOU-2017-0004",
        "title": "Memorandum of Understanding on research cooperation between Nazarbayev "
        "University and the University of Cambridge",
        "kind": "mou",
        "stage": "signed",
        "summary": "Joint research projects, visiting researchers and doctoral co-supervision.",
        "signed_on": D(2017, 3, 15),
        "signed_at": "Cambridge, United Kingdom",
        "expires_on": D(2022, 3, 14),
        "visibility": "public",
        "parties": ["NU", "Cambridge"],
        "signatories": [("nu-provost", "in_person"), ("cambridge-pvc", "in_person")],
        "areas": ["research", "staff-mobility"],
        "sdgs": [4, 9],
        "tags": ["research"],
    },
    {
        "reference": "MOU-2022-0006",
        "title": "Renewal of the research cooperation MoU between Nazarbayev University and the "
        "University of Cambridge",
        "kind": "renewal",
        "stage": "signed",
        "summary": "Renews the 2017 memorandum for five more years and adds doctoral "
        "student visits.",
        "signed_on": D(2022, 3, 1),
        "signed_at": "Astana, Kazakhstan",
        "effective_from": D(2022, 3, 15),
        "expires_on": D(2027, 3, 14),
        "supersedes": "MOU-2017-0004",
        "visibility": "public",
        "parties": ["NU", "Cambridge"],
        "signatories": [("nu-provost", "in_person"), ("cambridge-pvc", "remote")],
        "areas": ["research", "staff-mobility", "student-mobility"],
        "sdgs": [4, 9],
        "tags": ["research", "renewal"],
    },
    # ETH Zurich: an exchange agreement that lapsed, and a new one signed but not yet in force.
    {
        "reference": "MOU-2018-0002",
        "title": "Student exchange agreement between Nazarbayev University and ETH Zurich",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Up to four undergraduate engineering students each way per year, tuition "
        "waived.",
        "signed_on": D(2018, 9, 10),
        "signed_at": "Zurich, Switzerland",
        "expires_on": D(2023, 9, 9),
        "visibility": "internal",
        "parties": ["NU", "ETH"],
        "areas": ["student-mobility"],
        "sdgs": [4],
        "tags": ["exchange", "engineering"],
    },
    {
        "reference": "MOU-2026-0005",
        "title": "Student and staff exchange agreement between Nazarbayev University and ETH "
        "Zurich",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Resumes student exchange in engineering and adds short staff visits; in "
        "force from the next semester.",
        "signed_on": D(2026, 10, 15),
        "signed_at": "Zurich, Switzerland",
        "effective_from": FromToday(45),
        "expires_on": FromToday(45 + 5 * 365),
        "visibility": "internal",
        "parties": ["NU", "ETH"],
        "signatories": [("nu-vp-intl", "in_person"), ("eth-rector", "in_person")],
        "areas": ["student-mobility", "staff-mobility"],
        "sdgs": [4],
        "tags": ["exchange", "engineering"],
    },
    # KAIST: expired on paper but renews itself; a new exchange agreement under negotiation.
    {
        "reference": "MOU-2018-0005",
        "title": "Memorandum of Understanding between Nazarbayev University and KAIST",
        "kind": "mou",
        "stage": "signed",
        "summary": "General academic cooperation; renews itself for five years unless either "
        "party gives six months' notice.",
        "signed_on": D(2018, 11, 2),
        "signed_at": "Daejeon, Republic of Korea",
        "expires_on": D(2023, 11, 1),
        "auto_renew": True,
        "renewal_notice_days": 180,
        "visibility": "public",
        "parties": ["NU", "KAIST"],
        "areas": ["research", "teaching"],
        "sdgs": [4, 9],
    },
    {
        "reference": "MOU-2026-0104",
        "title": "Student exchange agreement between Nazarbayev University and KAIST",
        "kind": "exchange",
        "stage": "negotiation",
        "summary": "Semester exchange of graduate students in science and engineering.",
        "visibility": "internal",
        "parties": ["NU", "KAIST"],
        "areas": ["student-mobility"],
        "sdgs": [4],
        "tags": ["exchange"],
        "internal_notes": "KAIST asks for a cap of three students each way; our draft says five.",
    },
    # The University of Tokyo: MoU renewed in 2024.
    {
        "reference": "MOU-2019-0003",
        "title": "Memorandum of Understanding on academic exchange between Nazarbayev "
        "University and the University of Tokyo",
        "kind": "mou",
        "stage": "signed",
        "summary": "Exchange of faculty and researchers, joint seminars and exchange of "
        "publications.",
        "signed_on": D(2019, 4, 22),
        "signed_at": "Tokyo, Japan",
        "expires_on": D(2024, 4, 21),
        "visibility": "public",
        "parties": ["NU", "UTokyo"],
        "signatories": [("nu-provost", "in_person"), ("utokyo-evp", "in_person")],
        "areas": ["research", "staff-mobility", "knowledge-dissemination"],
        "sdgs": [4, 17],
    },
    {
        "reference": "MOU-2024-0003",
        "title": "Renewal of the academic exchange MoU between Nazarbayev University and the "
        "University of Tokyo",
        "kind": "renewal",
        "stage": "signed",
        "summary": "Renews the 2019 memorandum for five years.",
        "signed_on": D(2024, 4, 10),
        "signed_at": "Astana, Kazakhstan",
        "effective_from": D(2024, 4, 22),
        "expires_on": D(2029, 4, 21),
        "supersedes": "MOU-2019-0003",
        "visibility": "public",
        "parties": ["NU", "UTokyo"],
        "signatories": [("nu-provost", "in_person"), ("utokyo-evp", "remote")],
        "areas": ["research", "staff-mobility", "knowledge-dissemination"],
        "sdgs": [4, 17],
        "tags": ["renewal"],
    },
    # Seoul National University: the exchange agreement lapsed, then was renewed.
    {
        "reference": "MOU-2019-0007",
        "title": "Student exchange agreement between Nazarbayev University and Seoul National "
        "University",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Semester exchange of up to three undergraduate students each way.",
        "signed_on": D(2019, 6, 14),
        "signed_at": "Seoul, Republic of Korea",
        "expires_on": D(2024, 6, 13),
        "visibility": "internal",
        "parties": ["NU", "SNU"],
        "areas": ["student-mobility"],
        "sdgs": [4],
        "tags": ["exchange"],
    },
    {
        "reference": "MOU-2026-0002",
        "title": "Renewal of the student exchange agreement between Nazarbayev University and "
        "Seoul National University",
        "kind": "renewal",
        "stage": "signed",
        "summary": "Renews the 2019 exchange agreement after a lapse, raising the quota to five "
        "students each way.",
        "signed_on": D(2026, 3, 5),
        "signed_at": "Seoul, Republic of Korea",
        "expires_on": D(2031, 3, 4),
        "supersedes": "MOU-2019-0007",
        "visibility": "internal",
        "parties": ["NU", "SNU"],
        "areas": ["student-mobility"],
        "sdgs": [4],
        "tags": ["exchange", "renewal"],
    },
    # Huawei: a letter of intent that lapsed, then an agreement on an ICT Academy.
    {
        "reference": "MOU-2019-0011",
        "title": "Letter of intent on a Huawei ICT Academy at Nazarbayev University",
        "kind": "letter_of_intent",
        "stage": "signed",
        "summary": "The parties intend to set up a Huawei ICT Academy offering certification "
        "courses to students.",
        "signed_on": D(2019, 10, 1),
        "signed_at": "Astana, Kazakhstan",
        "expires_on": D(2020, 12, 31),
        "visibility": "confidential",
        "parties": ["NU", "Huawei"],
        "areas": ["professional-development"],
        "sdgs": [4, 9],
        "tags": ["industry"],
        "internal_notes": "Lapsed during the pandemic; followed up by MOU-2024-0008.",
    },
    {
        "reference": "MOU-2024-0008",
        "title": "Memorandum of agreement on the Huawei ICT Academy at Nazarbayev University",
        "kind": "moa",
        "stage": "signed",
        "summary": "Huawei provides curricula, trainer certification and laboratory equipment; "
        "NU hosts the academy and opens its courses to students of other universities.",
        "signed_on": D(2024, 7, 2),
        "signed_at": "Astana, Kazakhstan",
        "visibility": "confidential",
        "parties": ["NU", "Huawei"],
        "signatories": [("nu-vp-intl", "in_person"), ("huawei-director", "in_person")],
        "areas": ["professional-development", "teaching", "capacity-building"],
        "sdgs": [4, 8, 9],
        "tags": ["industry", "ict"],
        "internal_notes": "Equipment value and staffing terms are in the confidential annex.",
        "commitments": [
            {
                "title": "Equip the ICT Academy laboratory",
                "area": "capacity-building",
                "responsible": "Huawei",
                "due_on": D(2024, 12, 31),
                "status": "done",
                "completed_on": D(2024, 11, 20),
            },
            {
                "title": "Certify six NU instructors as Huawei ICT Academy trainers",
                "area": "professional-development",
                "responsible": "NU",
                "due_on": D(2025, 6, 30),
                "status": "in_progress",
            },
        ],
    },
    # Government and ecosystem partners in Kazakhstan.
    {
        "reference": "MOU-2020-0002",
        "title": "Framework agreement on research and higher education cooperation between "
        "Nazarbayev University and the Ministry of Science and Higher Education",
        "kind": "framework",
        "stage": "signed",
        "summary": "Framework for NU's contribution to national higher education reform: "
        "training of university managers and sharing of academic policies.",
        "signed_on": D(2020, 2, 12),
        "signed_at": "Astana, Kazakhstan",
        "visibility": "internal",
        "parties": ["NU", "MSHE-KZ"],
        "areas": ["capacity-building", "professional-development"],
        "sdgs": [4, 16],
        "tags": ["government"],
    },
    {
        "reference": "MOU-2025-0011",
        "title": "Memorandum of agreement between Nazarbayev University and Astana Hub on "
        "start-up internships",
        "kind": "moa",
        "stage": "signed",
        "summary": "Astana Hub places NU students in resident start-ups for summer internships; "
        "NU mentors its founders.",
        "signed_on": D(2025, 11, 14),
        "signed_at": "Astana, Kazakhstan",
        "expires_on": FromToday(120),
        "visibility": "internal",
        "parties": ["NU", "Astana Hub"],
        "areas": ["student-mobility", "professional-development"],
        "sdgs": [8, 9],
        "tags": ["industry", "internships"],
        "commitments": [
            {
                "title": "Place ten students in resident start-ups for the summer",
                "area": "student-mobility",
                "responsible": "Astana Hub",
                "due_on": D(2026, 8, 31),
                "status": "done",
                "completed_on": D(2026, 8, 28),
            },
        ],
    },
    # Kazakh universities: a bilateral MoU terminated and replaced by a consortium.
    {
        "reference": "MOU-2020-0005",
        "title": "Memorandum of Understanding on academic cooperation between Nazarbayev "
        "University and Al-Farabi Kazakh National University",
        "kind": "mou",
        "stage": "terminated",
        "summary": "Joint seminars and exchange of teaching staff.",
        "signed_on": D(2020, 9, 1),
        "signed_at": "Almaty, Kazakhstan",
        "expires_on": D(2025, 8, 31),
        "visibility": "internal",
        "parties": ["NU", "KazNU"],
        "areas": ["teaching", "staff-mobility"],
        "sdgs": [4],
        "internal_notes": "Terminated by mutual consent in 2023 when both joined the consortium "
        "agreement MOU-2023-0005.",
    },
    {
        "reference": "MOU-2023-0005",
        "title": "Consortium agreement of Nazarbayev University, Al-Farabi Kazakh National "
        "University and L.N. Gumilyov Eurasian National University",
        "kind": "other",
        "stage": "signed",
        "summary": "A consortium for joint bids to international capacity-building calls and "
        "shared doctoral courses.",
        "signed_on": D(2023, 4, 18),
        "signed_at": "Astana, Kazakhstan",
        "visibility": "internal",
        "parties": [("NU", "coordinator"), "KazNU", "ENU"],
        "signatories": [
            ("nu-provost", "in_person"),
            ("kaznu-vr", "in_person"),
            ("enu-vr", "in_person"),
        ],
        "areas": ["joint-bidding", "teaching", "capacity-building"],
        "sdgs": [4, 17],
        "tags": ["consortium"],
        "commitments": [
            {
                "title": "Joint application to the Erasmus+ capacity-building call",
                "area": "joint-bidding",
                "responsible": "NU",
                "due_on": D(2024, 2, 15),
                "status": "cancelled",
                "description": "Withdrawn: the call's eligibility rules changed.",
            },
            {
                "title": "Shared doctoral course in research methods",
                "area": "teaching",
                "responsible": "ENU",
                "due_on": D(2027, 1, 31),
                "status": "in_progress",
            },
        ],
    },
    # University of Melbourne: joint PhD supervision, expiring within 90 days.
    {
        "reference": "MOU-2020-0009",
        "title": "Memorandum of agreement on joint PhD supervision between Nazarbayev "
        "University and the University of Melbourne",
        "kind": "moa",
        "stage": "signed",
        "summary": "Co-supervision of doctoral candidates with a research stay at the partner "
        "of up to twelve months.",
        "signed_on": D(2020, 11, 20),
        "signed_at": "Signed remotely",
        "expires_on": FromToday(60),
        "visibility": "public",
        "parties": ["NU", "Melbourne"],
        "signatories": [("nu-provost", "remote"), ("melbourne-dvc", "remote")],
        "areas": ["research", "joint-programmes", "student-mobility"],
        "sdgs": [4],
        "tags": ["phd"],
        "commitments": [
            {
                "title": "Admit the first cohort of co-supervised doctoral candidates",
                "area": "joint-programmes",
                "responsible": "Melbourne",
                "due_on": D(2021, 9, 1),
                "status": "done",
                "completed_on": D(2021, 8, 16),
            },
            {
                "title": "Review the agreement before it expires",
                "responsible": "NU",
                "due_on": FromToday(30),
                "status": "planned",
            },
        ],
    },
    # University of Toronto: exchange expiring within 180 days.
    {
        "reference": "MOU-2021-0001",
        "title": "Student exchange agreement between Nazarbayev University and the University "
        "of Toronto",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Exchange of up to two students each way per year in the humanities and "
        "social sciences.",
        "signed_on": D(2021, 1, 18),
        "signed_at": "Toronto, Canada",
        "expires_on": FromToday(150),
        "visibility": "internal",
        "parties": ["NU", "Toronto"],
        "areas": ["student-mobility"],
        "sdgs": [4],
        "tags": ["exchange"],
    },
    # National University of Singapore: expired.
    {
        "reference": "MOU-2021-0004",
        "title": "Memorandum of Understanding between Nazarbayev University and the National "
        "University of Singapore",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in public policy education and executive training.",
        "signed_on": D(2021, 3, 30),
        "signed_at": "Singapore",
        "expires_on": D(2026, 3, 29),
        "visibility": "public",
        "parties": ["NU", "NUS"],
        "areas": ["teaching", "professional-development"],
        "sdgs": [4, 16],
    },
    # Tsinghua University: renewed in 2026; a trilateral with SUSTech under negotiation.
    {
        "reference": "MOU-2021-0008",
        "title": "Memorandum of Understanding between Nazarbayev University and Tsinghua "
        "University",
        "kind": "mou",
        "stage": "signed",
        "summary": "Joint research in energy and materials science, and faculty exchange.",
        "signed_on": D(2021, 6, 15),
        "signed_at": "Beijing, China",
        "expires_on": D(2026, 6, 14),
        "visibility": "public",
        "parties": ["NU", "Tsinghua"],
        "signatories": [("nu-provost", "remote"), ("tsinghua-vp", "in_person")],
        "areas": ["research", "staff-mobility"],
        "sdgs": [7, 9],
        "tags": ["energy"],
    },
    {
        "reference": "MOU-2026-0004",
        "title": "Renewal of the Memorandum of Understanding between Nazarbayev University and "
        "Tsinghua University",
        "kind": "renewal",
        "stage": "signed",
        "summary": "Renews the 2021 memorandum for five years and adds climate research.",
        "signed_on": D(2026, 5, 20),
        "signed_at": "Astana, Kazakhstan",
        "effective_from": D(2026, 6, 15),
        "expires_on": D(2031, 6, 14),
        "supersedes": "MOU-2021-0008",
        "visibility": "public",
        "parties": ["NU", "Tsinghua"],
        "signatories": [("nu-provost", "in_person"), ("tsinghua-vp", "in_person")],
        "areas": ["research", "staff-mobility"],
        "sdgs": [7, 9, 13],
        "tags": ["energy", "climate", "renewal"],
    },
    {
        "reference": "MOU-2026-0103",
        "title": "Trilateral Memorandum of Understanding on AI in education between Nazarbayev "
        "University, Tsinghua University and SUSTech",
        "kind": "mou",
        "stage": "negotiation",
        "summary": "Joint courses and teacher training on artificial intelligence in education.",
        "visibility": "confidential",
        "parties": ["NU", "Tsinghua", "SUSTech"],
        "areas": ["teaching", "professional-development", "online-education"],
        "sdgs": [4, 9],
        "tags": ["trilateral", "ai"],
        "internal_notes": "Intellectual property clause still open.",
    },
    # Sorbonne University: open-ended framework.
    {
        "reference": "MOU-2021-0012",
        "title": "Framework agreement on academic cooperation between Nazarbayev University and "
        "Sorbonne University",
        "kind": "framework",
        "stage": "signed",
        "summary": "Framework under which faculties conclude specific agreements on exchange, "
        "joint research and summer schools.",
        "signed_on": D(2021, 10, 5),
        "signed_at": "Paris, France",
        "visibility": "public",
        "parties": ["NU", "Sorbonne"],
        "areas": ["research", "teaching", "student-mobility", "staff-mobility"],
        "sdgs": [4],
    },
    # TUM: exchange expiring within 90 days.
    {
        "reference": "MOU-2021-0015",
        "title": "Exchange agreement between Nazarbayev University and the Technical University "
        "of Munich",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Exchange of master's students in engineering and computer science.",
        "signed_on": D(2021, 12, 1),
        "signed_at": "Munich, Germany",
        "expires_on": FromToday(75),
        "visibility": "internal",
        "parties": ["NU", "TUM"],
        "areas": ["student-mobility"],
        "sdgs": [4, 9],
        "tags": ["exchange", "engineering"],
    },
    # KU Leuven: MoU amended in 2023 (so the original is superseded).
    {
        "reference": "MOU-2022-0002",
        "title": "Memorandum of Understanding between Nazarbayev University and KU Leuven",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in biomedical research and doctoral training.",
        "signed_on": D(2022, 2, 14),
        "signed_at": "Leuven, Belgium",
        "expires_on": D(2027, 2, 13),
        "visibility": "public",
        "parties": ["NU", "KU Leuven"],
        "signatories": [("nu-provost", "in_person"), ("leuven-vr", "in_person")],
        "areas": ["research"],
        "sdgs": [3, 4],
    },
    {
        "reference": "MOU-2023-0002",
        "title": "Amendment No. 1 to the Memorandum of Understanding between Nazarbayev "
        "University and KU Leuven",
        "kind": "amendment",
        "stage": "signed",
        "summary": "Adds a double master's degree in biomedical engineering to the memorandum.",
        "signed_on": D(2023, 1, 20),
        "signed_at": "Astana, Kazakhstan",
        "expires_on": D(2027, 2, 13),
        "supersedes": "MOU-2022-0002",
        "visibility": "public",
        "parties": ["NU", "KU Leuven"],
        "signatories": [("nu-provost", "in_person"), ("leuven-vr", "remote")],
        "areas": ["research", "joint-programmes"],
        "sdgs": [3, 4],
        "tags": ["double-degree"],
    },
    # Africa, Latin America, South Asia, Turkey.
    {
        "reference": "MOU-2022-0009",
        "title": "Memorandum of Understanding between Nazarbayev University and the University "
        "of Cape Town",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in public health research and graduate student visits.",
        "signed_on": D(2022, 5, 10),
        "signed_at": "Cape Town, South Africa",
        "visibility": "internal",
        "parties": ["NU", "UCT"],
        "areas": ["research", "student-mobility"],
        "sdgs": [3, 4],
    },
    {
        "reference": "MOU-2022-0011",
        "title": "Memorandum of Understanding between Nazarbayev University and the "
        "Universidade de São Paulo",
        "kind": "mou",
        "stage": "signed",
        "summary": "Joint research in agriculture and water resources.",
        "signed_on": D(2022, 8, 22),
        "signed_at": "São Paulo, Brazil",
        "expires_on": D(2027, 8, 21),
        "visibility": "public",
        "parties": ["NU", "USP"],
        "areas": ["research"],
        "sdgs": [2, 6],
        "tags": ["water"],
    },
    {
        "reference": "MOU-2022-0014",
        "title": "Letter of intent on cooperation between Nazarbayev University and UNAM",
        "kind": "letter_of_intent",
        "stage": "signed",
        "summary": "The parties intend to explore cooperation in Earth sciences.",
        "signed_on": D(2022, 9, 30),
        "signed_at": "Mexico City, Mexico",
        "expires_on": D(2023, 9, 29),
        "visibility": "public",
        "parties": ["NU", "UNAM"],
        "areas": ["research"],
        "sdgs": [13, 15],
    },
    {
        "reference": "MOU-2026-0102",
        "title": "Framework agreement between Nazarbayev University and UNAM",
        "kind": "framework",
        "stage": "draft",
        "summary": "Draft framework following up the 2022 letter of intent.",
        "visibility": "confidential",
        "parties": ["NU", "UNAM"],
        "areas": ["research", "student-mobility"],
        "sdgs": [13],
    },
    {
        "reference": "MOU-2026-0006",
        "title": "Memorandum of Understanding between Nazarbayev University and the "
        "Universidad de Chile",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in mining engineering and astronomy; takes effect once both "
        "senates have approved it.",
        "signed_on": D(2026, 11, 2),
        "signed_at": "Santiago, Chile",
        "effective_from": FromToday(30),
        "expires_on": FromToday(30 + 5 * 365),
        "visibility": "confidential",
        "parties": ["NU", "UChile"],
        "areas": ["research", "staff-mobility"],
        "sdgs": [9, 12],
        "internal_notes": "Takes effect on the date of the second senate approval.",
    },
    {
        "reference": "MOU-2022-0017",
        "title": "Memorandum of Understanding between Nazarbayev University and the Indian "
        "Institute of Technology Bombay",
        "kind": "mou",
        "stage": "signed",
        "summary": "Joint research in computer science and faculty visits.",
        "signed_on": D(2022, 11, 11),
        "signed_at": "Mumbai, India",
        "expires_on": D(2027, 11, 10),
        "visibility": "internal",
        "parties": ["NU", "IITB"],
        "areas": ["research", "staff-mobility"],
        "sdgs": [4, 9],
    },
    {
        "reference": "MOU-2023-0003",
        "title": "Exchange agreement between Nazarbayev University and Middle East Technical "
        "University",
        "kind": "exchange",
        "stage": "signed",
        "summary": "Student and staff exchange in engineering and architecture.",
        "signed_on": D(2023, 3, 3),
        "signed_at": "Ankara, Türkiye",
        "expires_on": D(2028, 3, 2),
        "visibility": "internal",
        "parties": ["NU", "METU"],
        "signatories": [("nu-vp-intl", "in_person"), ("metu-vp", "in_person")],
        "areas": ["student-mobility", "staff-mobility"],
        "sdgs": [4],
        "tags": ["exchange"],
    },
    {
        "reference": "MOU-2026-0105",
        "title": "Amendment No. 1 to the exchange agreement between Nazarbayev University and "
        "Middle East Technical University",
        "kind": "amendment",
        "stage": "draft",
        "summary": "Draft amendment raising the exchange quota and adding doctoral students.",
        "supersedes": "MOU-2023-0003",
        "visibility": "internal",
        "parties": ["NU", "METU"],
        "areas": ["student-mobility"],
        "sdgs": [4],
    },
    # UNESCO-ICHEI and the IIOE beyond the reference case.
    {
        "reference": "MOU-2023-0007",
        "title": "IIOE partnership agreement between UNESCO-ICHEI and Tashkent State Technical "
        "University",
        "kind": "mou",
        "stage": "signed",
        "summary": "TSTU joins the International Institute for Online Education; NU attends "
        "as a witness and shares its experience as an IIOE partner.",
        "signed_on": D(2023, 9, 12),
        "signed_at": "Tashkent, Uzbekistan",
        "visibility": "public",
        "parties": ["UNESCO-ICHEI", "TSTU", ("NU", "witness")],
        "signatories": [("ichei-director", "in_person"), ("tstu-rector", "in_person")],
        "areas": ["online-education", "professional-development"],
        "sdgs": [4],
        "tags": ["iioe"],
    },
    {
        "reference": "MOU-2026-0001",
        "title": "Letter of intent on an IIOE hub for Central Asia at Nazarbayev University",
        "kind": "letter_of_intent",
        "stage": "signed",
        "summary": "NU, UNESCO-ICHEI and Huawei intend to set up a regional IIOE hub offering "
        "online courses and teacher training to universities of Central Asia.",
        "signed_on": D(2026, 2, 10),
        "signed_at": "Shenzhen, China",
        "visibility": "public",
        "parties": ["NU", "UNESCO-ICHEI", "Huawei"],
        "signatories": [
            ("nu-vp-intl", "in_person"),
            ("ichei-director", "in_person"),
            ("huawei-director", "in_person"),
        ],
        "areas": ["online-education", "capacity-building", "professional-development"],
        "sdgs": [4, 17],
        "tags": ["iioe", "central-asia"],
        "commitments": [
            {
                "title": "Launch the IIOE Central Asia hub",
                "area": "online-education",
                "responsible": "NU",
                "due_on": FromToday(90),
                "status": "in_progress",
            },
            {
                "title": "First training course for teachers of partner universities",
                "area": "professional-development",
                "responsible": "UNESCO-ICHEI",
                "due_on": FromToday(200),
                "status": "planned",
            },
        ],
    },
    {
        "reference": "MOU-2024-0010",
        "title": "Letter of intent on lifelong learning between Nazarbayev University and the "
        "UNESCO Institute for Lifelong Learning",
        "kind": "letter_of_intent",
        "stage": "signed",
        "summary": "Intent to cooperate on adult learning research and a regional policy forum.",
        "signed_on": D(2024, 9, 18),
        "signed_at": "Hamburg, Germany",
        "expires_on": D(2025, 9, 17),
        "visibility": "public",
        "parties": ["NU", "UIL"],
        "areas": ["knowledge-dissemination", "research"],
        "sdgs": [4],
        "tags": ["lifelong-learning"],
    },
    # More partners, 2023–2025.
    {
        "reference": "MOU-2023-0009",
        "title": "Memorandum of Understanding between Nazarbayev University and the University "
        "of Nairobi",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in dryland agriculture research and graduate training.",
        "signed_on": D(2023, 10, 25),
        "signed_at": "Nairobi, Kenya",
        "expires_on": D(2028, 10, 24),
        "visibility": "public",
        "parties": ["NU", "Nairobi"],
        "signatories": [("nu-vp-intl", "in_person"), ("nairobi-dvc", "in_person")],
        "areas": ["research", "capacity-building"],
        "sdgs": [2, 4, 13],
    },
    {
        "reference": "MOU-2023-0012",
        "title": "Erasmus+ inter-institutional agreement between Charles University and "
        "Nazarbayev University",
        "kind": "exchange",
        "stage": "signed",
        "summary": "International credit mobility of students and staff under an Erasmus+ project.",
        "signed_on": D(2023, 12, 5),
        "signed_at": "Prague, Czechia",
        "expires_on": D(2026, 7, 31),
        "visibility": "internal",
        "parties": ["Charles", "NU"],
        "areas": ["student-mobility", "staff-mobility"],
        "sdgs": [4],
        "tags": ["erasmus", "exchange"],
    },
    {
        "reference": "MOU-2024-0001",
        "title": "Memorandum of Understanding between Nazarbayev University and Heidelberg "
        "University",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in the life sciences and a joint summer school.",
        "signed_on": D(2024, 1, 22),
        "signed_at": "Heidelberg, Germany",
        "expires_on": D(2029, 1, 21),
        "visibility": "public",
        "parties": ["NU", "Heidelberg"],
        "areas": ["research", "teaching", "knowledge-dissemination"],
        "sdgs": [3, 4],
        "tags": ["summer-school"],
    },
    {
        "reference": "MOU-2024-0005",
        "title": "Memorandum of agreement on a joint master's programme in educational "
        "leadership between Nazarbayev University and the University of Helsinki",
        "kind": "moa",
        "stage": "signed",
        "summary": "A two-year joint master's programme; the first intake in the autumn of 2024.",
        "signed_on": D(2024, 5, 8),
        "signed_at": "Helsinki, Finland",
        "effective_from": D(2024, 9, 1),
        "expires_on": D(2030, 8, 31),
        "visibility": "public",
        "parties": [("NU", "coordinator"), "Helsinki"],
        "areas": ["joint-programmes", "teaching"],
        "sdgs": [4, 5],
        "tags": ["joint-degree"],
        "commitments": [
            {
                "title": "First intake of the joint master's programme",
                "area": "joint-programmes",
                "responsible": "NU",
                "due_on": D(2024, 9, 1),
                "status": "done",
                "completed_on": D(2024, 9, 2),
            },
        ],
    },
    {
        "reference": "MOU-2024-0013",
        "title": "Memorandum of Understanding between Nazarbayev University and the American "
        "University of Central Asia",
        "kind": "mou",
        "stage": "terminated",
        "summary": "Cooperation in liberal arts education and student visits.",
        "signed_on": D(2024, 10, 10),
        "signed_at": "Bishkek, Kyrgyzstan",
        "expires_on": D(2029, 10, 9),
        "visibility": "confidential",
        "parties": ["NU", "AUCA"],
        "areas": ["teaching", "student-mobility"],
        "sdgs": [4],
        "internal_notes": "Terminated on notice by AUCA in 2025 after a change of leadership.",
    },
    {
        "reference": "MOU-2025-0002",
        "title": "Memorandum of Understanding between Nazarbayev University and the National "
        "University of Uzbekistan",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in mathematics and physics, joint conferences and staff visits.",
        "signed_on": D(2025, 2, 20),
        "signed_at": "Tashkent, Uzbekistan",
        "expires_on": D(2030, 2, 19),
        "visibility": "public",
        "parties": ["NU", "NUUz"],
        "signatories": [("nu-provost", "in_person"), ("nuuz-rector", "in_person")],
        "areas": ["research", "staff-mobility", "knowledge-dissemination"],
        "sdgs": [4],
        "tags": ["central-asia"],
        "commitments": [
            {
                "title": "Joint summer school in mathematics",
                "area": "teaching",
                "responsible": "NUUz",
                "due_on": FromToday(240),
                "status": "planned",
            },
        ],
    },
    {
        "reference": "MOU-2025-0004",
        "title": "Memorandum of Understanding between Nazarbayev University and Peking University",
        "kind": "mou",
        "stage": "signed",
        "summary": "Cooperation in Eurasian studies and economics.",
        "signed_on": D(2025, 4, 14),
        "signed_at": "Beijing, China",
        "expires_on": D(2030, 4, 13),
        "visibility": "public",
        "parties": ["NU", "PKU"],
        "areas": ["research", "teaching"],
        "sdgs": [4, 8],
    },
    {
        "reference": "MOU-2025-0006",
        "title": "Research framework agreement between Nazarbayev University and the Institute "
        "of Science and Technology Austria",
        "kind": "framework",
        "stage": "signed",
        "summary": "Framework for joint research projects in physics and neuroscience, "
        "including sharing of instruments.",
        "signed_on": D(2025, 6, 3),
        "signed_at": "Klosterneuburg, Austria",
        "expires_on": D(2028, 6, 2),
        "visibility": "confidential",
        "parties": ["NU", "ISTA"],
        "areas": ["research", "joint-bidding"],
        "sdgs": [9],
        "internal_notes": "Cost sharing of instrument time is set out in annex B.",
    },
    {
        "reference": "MOU-2025-0009",
        "title": "Membership agreement between Nazarbayev University and the Association of "
        "Commonwealth Universities",
        "kind": "other",
        "stage": "signed",
        "summary": "Annual membership, renewed automatically unless cancelled.",
        "signed_on": D(2025, 9, 1),
        "signed_at": "London, United Kingdom",
        "expires_on": D(2026, 8, 31),
        "auto_renew": True,
        "renewal_notice_days": 60,
        "visibility": "internal",
        "parties": ["NU", "ACU"],
        "areas": ["knowledge-dissemination", "professional-development"],
        "sdgs": [4, 17],
        "tags": ["membership"],
    },
    # Drafts.
    {
        "reference": "MOU-2026-0101",
        "title": "Memorandum of agreement on a joint PhD programme between Nazarbayev "
        "University and the University of Cambridge",
        "kind": "moa",
        "stage": "draft",
        "summary": "First draft of a joint doctoral programme in engineering.",
        "visibility": "internal",
        "parties": ["NU", "Cambridge"],
        "areas": ["joint-programmes", "research"],
        "sdgs": [4, 9],
        "tags": ["phd"],
    },
]


def _date(value: Any, today: datetime.date) -> Any:
    return value.resolve(today) if isinstance(value, FromToday) else value


def _apply(obj, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when any did."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, name)
        if name == "country":
            current = current.code
        if current != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _load_institutions(counts: dict[str, int]) -> dict[str, Institution]:
    institutions: dict[str, Institution] = {}
    for data in INSTITUTIONS:
        values = {
            "name": data["name"],
            "short_name": data.get("short_name", ""),
            "kind": data["kind"],
            "country": data["country"],
            "city": data.get("city", ""),
            "website": data.get("website", ""),
            "ror_id": data.get("ror_id") or None,
            "established_on": data.get("established_on"),
            "description": data.get("description", ""),
            "parent_id": institutions[data["parent"]].pk if data.get("parent") else None,
        }
        institution = Institution.objects.filter(
            name__iexact=data["name"], country=data["country"]
        ).first()
        if institution is None and values["ror_id"]:
            institution = Institution.objects.filter(ror_id=values["ror_id"]).first()
        if institution is None:
            institution = Institution(**values)
            institution.full_clean()
            institution.save()
            counts["institutions"] += 1
        elif _apply(institution, values):
            institution.full_clean()
            institution.save()
            counts["updated"] += 1
        for alias in data.get("aliases", ()):
            if not institution.aliases.filter(name__iexact=alias).exists():
                InstitutionAlias.objects.create(institution=institution, name=alias)
                counts["aliases"] += 1
        institutions[data["key"]] = institution
    return institutions


def _load_people(institutions: dict[str, Institution], counts: dict[str, int]) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for data in PEOPLE:
        institution = institutions[data["institution"]]
        values = {
            "honorific": data.get("honorific", ""),
            "position": data.get("position", ""),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
        }
        person = Person.objects.filter(full_name=data["full_name"], institution=institution).first()
        if person is None:
            person = Person(full_name=data["full_name"], institution=institution, **values)
            person.full_clean()
            person.save()
            counts["people"] += 1
        elif _apply(person, values):
            person.full_clean()
            person.save()
            counts["updated"] += 1
        people[data["key"]] = person
    return people


def _memorandum_arguments(
    data: dict[str, Any],
    *,
    institutions: dict[str, Institution],
    people: dict[str, Person],
    areas: dict[str, CooperationArea],
    today: datetime.date,
) -> dict[str, Any]:
    parties = []
    for order, party in enumerate(data["parties"]):
        key, role = party if isinstance(party, tuple) else (party, "party")
        parties.append({"institution": institutions[key], "role": role, "order": order})
    signatories = [
        {
            "person": people[person_key],
            "institution": people[person_key].institution,
            "position_at_signing": people[person_key].position,
            "signed_on": data["signed_on"],
            "mode": mode,
        }
        for person_key, mode in data.get("signatories", ())
    ]
    commitments = [
        {
            "title": commitment["title"],
            "description": commitment.get("description", ""),
            "area": areas[commitment["area"]] if commitment.get("area") else None,
            "responsible_institution": institutions[commitment["responsible"]],
            "due_on": _date(commitment.get("due_on"), today),
            "status": commitment.get("status", "planned"),
            "completed_on": commitment.get("completed_on"),
        }
        for commitment in data.get("commitments", ())
    ]
    supersedes = data.get("supersedes")
    return {
        "reference": data["reference"],
        "title": data["title"],
        "kind": data["kind"],
        "stage": data["stage"],
        "summary": data.get("summary", ""),
        "signed_on": data.get("signed_on"),
        "signed_at": data.get("signed_at", ""),
        "effective_from": _date(data.get("effective_from"), today),
        "expires_on": _date(data.get("expires_on"), today),
        "auto_renew": data.get("auto_renew", False),
        "renewal_notice_days": data.get("renewal_notice_days", 90),
        "supersedes": Memorandum.objects.get(reference=supersedes) if supersedes else None,
        "visibility": data["visibility"],
        "source_url": data.get("source_url", ""),
        "owner_unit": data.get("owner_unit", OWNER_UNIT),
        "owner_email": data.get("owner_email", OWNER_EMAIL),
        "internal_notes": data.get("internal_notes", ""),
        "parties": parties,
        "signatories": signatories,
        "commitments": commitments,
        "cooperation_areas": [areas[code] for code in data.get("areas", ())],
        "sdgs": data.get("sdgs", ()),
        "tags": data.get("tags", ()),
    }


def _raise_reference_counters() -> None:
    """Make each year's counter at least the highest sequence used here, so none collides."""
    highest: dict[int, int] = {}
    pattern = re.compile(rf"^{REFERENCE_PREFIX}-(\d{{4}})-(\d+)$")
    for data in MEMORANDA:
        match = pattern.match(data["reference"])
        if match:
            year, sequence = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), sequence)
    for year, sequence in highest.items():
        ReferenceCounter.objects.get_or_create(year=year)
        ReferenceCounter.objects.filter(year=year, last__lt=sequence).update(last=sequence)


def load_demo_directory() -> tuple[dict[str, Institution], dict[str, Person]]:
    """Only the demo's institutions (with aliases) and people, by key: the directory that
    announcements are read against in the intake tests. Idempotent, like `load_demo`."""
    counts = dict.fromkeys(("institutions", "aliases", "people", "updated"), 0)
    with transaction.atomic():
        institutions = _load_institutions(counts)
        return institutions, _load_people(institutions, counts)


def load_demo(*, actor=None) -> dict[str, int]:
    """Load the demo data; running it again creates and changes nothing.

    Returns how many institutions, aliases, people and memoranda were created, how many
    institutions and people were `updated` to match the data here, and how many memoranda
    were `skipped` because their reference was already taken.
    """
    counts = dict.fromkeys(
        ("institutions", "aliases", "people", "memoranda", "updated", "skipped"), 0
    )
    today = timezone.localdate()
    with transaction.atomic():
        institutions = _load_institutions(counts)
        people = _load_people(institutions, counts)
        areas = CooperationArea.objects.in_bulk(AREA_CODES, field_name="code")
        taken = set(
            Memorandum.objects.filter(
                reference__in=[data["reference"] for data in MEMORANDA]
            ).values_list("reference", flat=True)
        )
        for data in MEMORANDA:
            if data["reference"] in taken:
                counts["skipped"] += 1
                continue
            arguments = _memorandum_arguments(
                data, institutions=institutions, people=people, areas=areas, today=today
            )
            memorandum_create(actor=actor, **arguments)
            counts["memoranda"] += 1
        _raise_reference_counters()
    return counts
