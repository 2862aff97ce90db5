from django.db import migrations

COOPERATION_AREAS = [
    (
        "capacity-building",
        "Capacity building",
        "Third-party training programmes and other capacity-building activities.",
    ),
    ("teaching", "Teaching", "Joint teaching, guest lectures and curriculum development."),
    ("research", "Research", "Joint research projects, publications and shared facilities."),
    (
        "knowledge-dissemination",
        "Dissemination of knowledge",
        "Conferences, seminars, publications and public outreach.",
    ),
    (
        "online-education",
        "Online education",
        "Participation in online education networks such "
        "as the International Institute for Online Education (IIOE).",
    ),
    (
        "joint-bidding",
        "Joint bidding",
        "Joint bidding for international consultancies and research work.",
    ),
    (
        "student-mobility",
        "Student mobility",
        "Student exchange, visiting students and internships.",
    ),
    ("staff-mobility", "Staff mobility", "Exchange of academic and administrative staff."),
    ("joint-programmes", "Joint programmes", "Joint and double degree programmes."),
    (
        "professional-development",
        "Professional development",
        "Training and certification of teachers and staff.",
    ),
]

SDGS = [
    (1, "No poverty"),
    (2, "Zero hunger"),
    (3, "Good health and well-being"),
    (4, "Quality education"),
    (5, "Gender equality"),
    (6, "Clean water and sanitation"),
    (7, "Affordable and clean energy"),
    (8, "Decent work and economic growth"),
    (9, "Industry, innovation and infrastructure"),
    (10, "Reduced inequalities"),
    (11, "Sustainable cities and communities"),
    (12, "Responsible consumption and production"),
    (13, "Climate action"),
    (14, "Life below water"),
    (15, "Life on land"),
    (16, "Peace, justice and strong institutions"),
    (17, "Partnerships for the goals"),
]


def seed(apps, schema_editor):
    CooperationArea = apps.get_model("agreements", "CooperationArea")
    SustainableDevelopmentGoal = apps.get_model("agreements", "SustainableDevelopmentGoal")
    for code, name, description in COOPERATION_AREAS:
        CooperationArea.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    for number, name in SDGS:
        SustainableDevelopmentGoal.objects.update_or_create(number=number, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
