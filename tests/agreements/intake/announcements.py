"""Announcements of signings, written for these tests, each labelled by hand with what a careful
reader takes from it.

`ANNOUNCEMENTS` are the five the rules of `agreements/intake/proposal.py` were developed with.
`FURTHER_ANNOUNCEMENTS` were written afterwards as a check, labelled before the rules first
ran on them: the first three revealed gaps that general rules then closed; on the last two the
rules ran unchanged. The scores on both sets are in docs/features.md, "Intake from an
announcement".

The registry they are read against is the demo directory (`agreements.demo`): its
institutions, aliases and people. Of the people named here, Shigeo Katsu, Han Wei, Lu Chun,
Martina Keller, Nurlan Abenov, Gulnara Omarova (in Latin script), Aigerim Sarsenova and
Eleanor Whitfield are on record; Tan Wei Ming, Marat Dzhaksybekov and Kim Min-jun are not.
Kazakh-British Technical University is not registered.

Labels: `institutions` are the parties (registered name, or the name as written for an unknown
one); `people` are (full name, honorific, position, institution name, mode); `areas` are
codes; `signed_on` and `commitments` (title, due date) are the dates.
"""

import datetime

D = datetime.date

NU = "Nazarbayev University"
ICHEI = "International Centre for Higher Education Innovation under the auspices of UNESCO"
SUSTECH = "Southern University of Science and Technology"
ETH = "ETH Zurich"
NUS = "National University of Singapore"
KAZNU = "Al-Farabi Kazakh National University"
ENU = "L.N. Gumilyov Eurasian National University"
KBTU = "Kazakh-British Technical University"
CAMBRIDGE = "University of Cambridge"
SNU = "Seoul National University"

ANNOUNCEMENTS = {
    # The reference case (the NU–UNESCO-ICHEI–SUSTech memorandum), as a university press
    # release with a dateline a day after the signing and a mention of UNESCO that is context,
    # not a party.
    "reference_press_release": {
        "text": """\
Nazarbayev University, UNESCO-ICHEI and SUSTech sign trilateral Memorandum of Understanding

ASTANA, May 30, 2023 — Nazarbayev University (NU), the International Centre for Higher \
Education Innovation under the auspices of UNESCO (UNESCO-ICHEI) and the Southern University \
of Science and Technology (SUSTech) signed a trilateral memorandum of understanding on May 29, \
2023.

NU President Shigeo Katsu hosted the signing ceremony in Astana. Prof. Han Wei, Executive \
Deputy Director of UNESCO-ICHEI, was present, and Prof. Lu Chun, Vice President and Chief \
Operating Officer of SUSTech, took part online.

Under the memorandum, the three institutions will cooperate in capacity building, including \
third-party training programmes, in teaching, research and the dissemination of knowledge. NU \
will participate in the International Institute for Online Education (IIOE), and the partners \
will pursue joint bidding for international consultancies and research work.

As a first step, NU was invited to the launching ceremony of a micro-certification programme \
for university teachers in July 2023 and to the IIOE Global Partners Summit in December 2023.

The agreement serves Sustainable Development Goal 4, quality education. UNESCO-ICHEI is a \
UNESCO category II centre founded in Shenzhen in 2016.
""",
        "kind": "mou",
        "institutions": [NU, ICHEI, SUSTECH],
        "unknown_institutions": [],
        "people": [
            ("Shigeo Katsu", "", "President", NU, "in_person"),
            ("Han Wei", "Prof.", "Executive Deputy Director", ICHEI, "in_person"),
            (
                "Lu Chun",
                "Prof.",
                "Vice President and Chief Operating Officer",
                SUSTECH,
                "remote",
            ),
        ],
        "areas": [
            "capacity-building",
            "joint-bidding",
            "knowledge-dissemination",
            "online-education",
            "research",
            "teaching",
        ],
        "signed_on": D(2023, 5, 29),
        "commitments": [
            (
                "Launching ceremony of a micro-certification programme for university teachers",
                D(2023, 7, 31),
            ),
            ("IIOE Global Partners Summit", D(2023, 12, 31)),
        ],
    },
    # A terse news item: an ISO date in the dateline, "today", a renewal, acronyms only.
    "terse_news_item": {
        "text": """\
ETH Zurich, NUS renew research pact

Singapore, 2024-01-18 — ETH Zurich and the National University of Singapore today signed a \
renewal of their research agreement, extending joint research and staff exchange for five \
more years. Signing for ETH was Rector Prof. Martina Keller; NUS was represented by Prof. Tan \
Wei Ming, Deputy President for Academic Affairs.
""",
        "kind": "renewal",
        "institutions": [ETH, NUS],
        "unknown_institutions": [],
        "people": [
            ("Martina Keller", "Prof.", "Rector", ETH, "in_person"),
            ("Tan Wei Ming", "Prof.", "Deputy President for Academic Affairs", NUS, "in_person"),
        ],
        "areas": ["research", "staff-mobility"],
        "signed_on": D(2024, 1, 18),
        "commitments": [],
    },
    # Russian and English mixed: a Russian headline naming both universities in Russian (one of
    # them in the genitive), a Russian sentence about who signed, a follow-up in Russian.
    "russian_english_mixed": {
        "text": """\
Назарбаев Университет и Евразийский национальный университет имени Л. Н. Гумилёва подписали \
меморандум о сотрудничестве

Astana, 15 September 2023. Nazarbayev University and L.N. Gumilyov Eurasian National \
University (ENU) signed a memorandum of understanding on cooperation in joint research, \
academic mobility of students and joint educational programmes. Меморандум подписали \
проректор ЕНУ профессор Гульнара Омарова и Vice Provost for International Cooperation \
Dr. Aigerim Sarsenova (NU). Стороны договорились провести совместную конференцию \
Назарбаев Университета и ЕНУ в ноябре 2023 года.
""",
        "kind": "mou",
        "institutions": [NU, ENU],
        "unknown_institutions": [],
        "people": [
            ("Гульнара Омарова", "Prof.", "Проректор ЕНУ", ENU, "in_person"),
            (
                "Aigerim Sarsenova",
                "Dr.",
                "Vice Provost for International Cooperation",
                NU,
                "in_person",
            ),
        ],
        "areas": ["joint-programmes", "research", "student-mobility"],
        "signed_on": D(2023, 9, 15),
        "commitments": [
            ("Совместную конференцию Назарбаев Университета и ЕНУ", D(2023, 11, 30)),
        ],
    },
    # A joint press release dated 12.03.2024, with a party the registry does not know yet
    # (and its acronym in parentheses), two follow-ups: one by month, one by date.
    "numeric_date_and_unknown_party": {
        "text": """\
Joint press release
12.03.2024

Kazakh-British Technical University (KBTU) and Al-Farabi Kazakh National University sign \
memorandum of agreement

Kazakh-British Technical University (KBTU) and Al-Farabi Kazakh National University (KazNU) \
signed a memorandum of agreement on 12.03.2024 in Almaty. The agreement covers student \
exchange, joint degree programmes and professional development of academic staff, including \
upskilling courses for teachers.

The memorandum was signed by KBTU Rector Mr. Marat Dzhaksybekov and KazNU Vice-Rector for \
Academic Affairs Prof. Nurlan Abenov. The first cohort of exchange students will arrive in \
September 2024, and a joint workshop on curriculum design will be held in Almaty on 15 May 2024.
""",
        "kind": "moa",
        "institutions": [KBTU, KAZNU],
        "unknown_institutions": [KBTU],
        "people": [
            ("Marat Dzhaksybekov", "Mr.", "Rector", KBTU, "in_person"),
            ("Nurlan Abenov", "Prof.", "Vice-Rector for Academic Affairs", KAZNU, "in_person"),
        ],
        "areas": ["joint-programmes", "professional-development", "student-mobility"],
        "signed_on": D(2024, 3, 12),
        "commitments": [
            ("First cohort of exchange students", D(2024, 9, 30)),
            ("Joint workshop on curriculum design", D(2024, 5, 15)),
        ],
    },
    # Three people, one online, a quotation, a later mention by surname only, and an
    # institution named only by its city ("at Cambridge").
    "three_people_one_online": {
        "text": """\
University of Cambridge, NU and Seoul National University launch staff exchange

Cambridge, 4 June 2024 — The University of Cambridge, Nazarbayev University and Seoul National \
University today signed a letter of intent to develop a staff mobility scheme and joint \
doctoral programmes.

The letter was signed at a ceremony in Cambridge by Prof. Eleanor Whitfield, \
Pro-Vice-Chancellor for International Affairs at Cambridge, and Dr. Aigerim Sarsenova, NU's \
Vice Provost for International Cooperation. Prof. Kim Min-jun, Dean of Graduate Studies at \
SNU, joined via video link from Seoul.

"This brings three research-intensive universities closer together," said Prof. Whitfield. A \
first exchange of visiting researchers is scheduled for the 2024/25 academic year, and the \
partners will meet again at the annual partnership forum in October 2024.
""",
        "kind": "letter_of_intent",
        "institutions": [CAMBRIDGE, NU, SNU],
        "unknown_institutions": [],
        "people": [
            (
                "Eleanor Whitfield",
                "Prof.",
                "Pro-Vice-Chancellor for International Affairs",
                CAMBRIDGE,
                "in_person",
            ),
            (
                "Aigerim Sarsenova",
                "Dr.",
                "Vice Provost for International Cooperation",
                NU,
                "in_person",
            ),
            ("Kim Min-jun", "Prof.", "Dean of Graduate Studies", SNU, "remote"),
        ],
        "areas": ["joint-programmes", "staff-mobility"],
        "signed_on": D(2024, 6, 4),
        "commitments": [("Annual partnership forum", D(2024, 10, 31))],
    },
}


HUAWEI = "Huawei Technologies Co., Ltd."
AUCA = "American University of Central Asia"
TSTU = "Tashkent State Technical University"
CUNI = "Charles University"
KAIST = "Korea Advanced Institute of Science and Technology"
MELBOURNE = "University of Melbourne"
TORONTO = "University of Toronto"
TSINGHUA = "Tsinghua University"

# People here are (full name, institution name, mode); commitments (title, due date).
FURTHER_ANNOUNCEMENTS = {
    # A month-first US date, a company, an "academy" that is a programme of one party.
    "us_date_and_a_company": {
        "text": """\
Huawei and AUCA partner on ICT Academy

BISHKEK — The American University of Central Asia (AUCA) and Huawei Technologies signed a \
memorandum of understanding on 11/14/2023 to establish a Huawei ICT Academy on campus. Under \
the agreement, Huawei will provide online courses, teacher training and certification for AUCA \
faculty, and students will have access to internships. Mr. Liu Yang, Director of the Huawei ICT \
Academy Programme for Central Asia, and AUCA President Dr. Andrew Wachtel signed the document. \
The academy's first courses are expected to start in February 2024.
""",
        "kind": "mou",
        "institutions": [HUAWEI, AUCA],
        "people": [("Liu Yang", HUAWEI, "in_person"), ("Andrew Wachtel", AUCA, "in_person")],
        "areas": ["online-education", "professional-development", "student-mobility"],
        "signed_on": D(2023, 11, 14),
        "commitments": [("The academy's first courses", D(2024, 2, 29))],
    },
    # An alias in Czech, a ministry that only witnessed, "remotely" before the person.
    "framework_with_a_witness": {
        "text": """\
Framework agreement links Tashkent and Prague

Islam Karimov Tashkent State Technical University and Univerzita Karlova (Charles University) \
concluded a framework agreement on academic cooperation on 3 October 2023 in Tashkent, in the \
presence of representatives of the Ministry of Higher Education of Uzbekistan. The agreement \
provides for double degree programmes in engineering, joint research projects and the exchange \
of teaching staff. It was signed by Rector Prof. Bakhodir Karimov and, remotely, by Prof. Jana \
Nováková, Vice-Rector for International Affairs of Charles University. A delegation from Prague \
is expected in Tashkent in spring 2024.
""",
        "kind": "framework",
        "institutions": [TSTU, CUNI],
        "people": [("Bakhodir Karimov", TSTU, "in_person"), ("Jana Nováková", CUNI, "remote")],
        "areas": ["joint-programmes", "research", "staff-mobility"],
        "signed_on": D(2023, 10, 3),
        "commitments": [],
    },
    # An amendment; "for NU", "…, for KAIST" after an apposition; a follow-up "to be held".
    "amendment": {
        "text": """\
Amendment extends NU–KAIST agreement

On 21 February 2025 Nazarbayev University and the Korea Advanced Institute of Science and \
Technology signed an amendment to their 2019 memorandum, adding joint supervision of doctoral \
students and a summer school on robotics, to be held at KAIST in July 2025. The amendment was \
signed by Dr. Aigerim Sarsenova for NU and by Prof. Lee Sung-ho, Associate Vice President for \
International Relations, for KAIST.
""",
        "kind": "amendment",
        "institutions": [NU, KAIST],
        "people": [("Aigerim Sarsenova", NU, "in_person"), ("Lee Sung-ho", KAIST, "in_person")],
        # A summer school is teaching; here it is the follow-up event, which the rules keep
        # out of the areas, so "teaching" is missed.
        "areas": ["research", "teaching"],
        "signed_on": D(2025, 2, 21),
        "commitments": [("Summer school on robotics", D(2025, 7, 31))],
    },
    # "the 5th of April, 2024", an exchange agreement, a unit of a party ("Centre … at U of T"),
    # the participant online named last.
    "ordinal_date_exchange": {
        "text": """\
Melbourne and Toronto universities sign exchange agreement

MELBOURNE, the 5th of April, 2024 — The University of Melbourne and the University of Toronto \
have signed a student exchange agreement that will allow up to twenty undergraduates a year to \
spend a semester at the partner institution. The agreement was signed by Prof. Sarah Mitchell, \
Deputy Vice-Chancellor (International) at Melbourne, and Ms. Joanne Clarke, Director of the \
Centre for International Experience at U of T, who joined the ceremony online. Applications for \
the first exchange will open in August 2024.
""",
        "kind": "exchange",
        "institutions": [MELBOURNE, TORONTO],
        "people": [
            ("Sarah Mitchell", MELBOURNE, "in_person"),
            ("Joanne Clarke", TORONTO, "remote"),
        ],
        "areas": ["student-mobility"],
        "signed_on": D(2024, 4, 5),
        "commitments": [("Applications for the first exchange", D(2024, 8, 31))],
    },
    # Mostly Russian: "Университет Цинхуа" is Tsinghua University, which the registry knows
    # only as Tsinghua University, THU and 清华大学, so the rules take it for a new institution.
    "russian_framework": {
        "text": """\
КазНУ и Университет Цинхуа подписали соглашение о сотрудничестве

Алматы, 20 ноября 2023 г. Казахский национальный университет имени аль-Фараби и Tsinghua \
University подписали рамочное соглашение о сотрудничестве. Документ подписали ректор КазНУ \
профессор Жансеит Туймебаев и вице-президент Tsinghua University профессор Zhang Lei (онлайн). \
Стороны планируют открыть совместную магистерскую программу и развивать академическую \
мобильность студентов. Первый набор на программу состоится в сентябре 2024 года.
""",
        "kind": "framework",
        "institutions": [KAZNU, TSINGHUA],
        "people": [
            ("Жансеит Туймебаев", KAZNU, "in_person"),
            ("Zhang Lei", TSINGHUA, "remote"),
        ],
        "areas": ["joint-programmes", "student-mobility"],
        "signed_on": D(2023, 11, 20),
        "commitments": [("Первый набор на программу", D(2024, 9, 30))],
    },
}
