"""A small, believable demo world. Every name here is fictional."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-Bridgeway-2026"
DEMO_DOMAIN = "demo.bridgeway.test"


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    org_type: str
    country: str
    city: str
    languages: tuple[str, ...]
    services: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    description: str = ""


ORGS = [
    DemoOrg("network", "Two Rivers Anti-Trafficking Network", "CSONetwork", "RO", "Bucharest",
            ("ro", "en", "uk"),
            description="A network of anti-trafficking CSOs in Romania and Moldova."),
    DemoOrg("lumina", "Lumina Centre for Survivors", "NGO", "MD", "Chișinău", ("ro", "ru", "en"),
            (("psychological", ("MD",), "Chișinău"), ("legal", ("MD",), ""),
             ("helpline", ("MD",), "national"), ("identification", ("MD",), "")),
            "Identification, counselling and legal aid for survivors of trafficking."),
    DemoOrg("pascupas", "Pas cu Pas Association", "NGO", "RO", "Iași", ("ro", "en"),
            (("job_counselling", ("RO",), "Iași, Vaslui"), ("education", ("RO",), "Iași"),
             ("economic_empowerment", ("RO",), "North-East region")),
            "Reintegration: education, job counselling and small-business support."),
    DemoOrg("openroads", "Open Roads Legal Aid", "NGO", "MD", "Bălți", ("ro", "ru"),
            (("legal", ("MD",), "Bălți and the north"), ("interpretation", ("MD",), "")),
            "Free legal representation for migrant workers and survivors."),
    DemoOrg("harbour", "Safe Harbour Shelter", "NGO", "RO", "Constanța", ("ro", "en", "uk"),
            (("shelter", ("RO",), "Constanța"), ("medical", ("RO",), "Constanța"),
             ("psychological", ("RO",), "")),
            "Specialised shelter for women and children."),
    DemoOrg("police", "Centre for Combating Trafficking in Persons (demo)", "LawEnforcement", "MD",
            "Chișinău", ("ro", "ru"), (("identification", ("MD",), "national"),),
            "The police anti-trafficking unit."),
    DemoOrg("labour", "State Labour Inspectorate (demo)", "CentralGovernmentOrganisation", "MD",
            "Chișinău", ("ro",), (), "Inspects workplaces and refers suspected forced labour."),
    DemoOrg("io", "International Migration Office (demo)", "InternationalOrganisation", "RO",
            "Bucharest", ("en", "ro", "uk"),
            (("return_reintegration", ("RO", "MD", "UA"), ""),),
            "Assisted return and transnational referrals."),
]

NETWORK_MEMBERS = ["lumina", "pascupas", "openroads", "harbour"]

# (e-mail local part, full name, [(org key, role)]) — one person per persona of ENGINEERING.md,
# plus the administrators and the DPO the organisations need.
PEOPLE = [
    ("caseworker.a", "Ana Rusu", [("lumina", "caseworker")]),
    ("supervisor.a", "Ion Ceban", [("lumina", "supervisor")]),
    ("admin.a", "Elena Popa", [("lumina", "org_admin")]),
    ("dpo.a", "Victor Lungu", [("lumina", "dpo")]),
    ("caseworker.b", "Maria Ionescu", [("pascupas", "caseworker")]),
    ("admin.b", "Andrei Stan", [("pascupas", "org_admin")]),
    ("police", "Sergiu Moraru", [("police", "agency_poc")]),
    ("inspector", "Natalia Botnari", [("labour", "agency_poc")]),
    ("io", "Oksana Melnyk", [("io", "agency_poc")]),
    ("coordinator", "Olena Kovalenko", [("network", "network_coordinator"),
                                        ("network", "org_admin")]),
    ("researcher", "Radu Petrescu", [("network", "researcher")]),
    # The second person who approves the network's statistical releases.
    ("statistician", "Tudor Ciobanu", [("network", "network_coordinator")]),
    ("admin.openroads", "Mihai Cojocaru", [("openroads", "org_admin")]),
    ("admin.harbour", "Irina Dumitru", [("harbour", "org_admin")]),
    ("caseworker.openroads", "Stela Rotaru", [("openroads", "caseworker")]),
    ("caseworker.harbour", "Camelia Stanciu", [("harbour", "caseworker")]),
    ("supervisor.harbour", "Adrian Matei", [("harbour", "supervisor")]),
    ("outsider", "Dan Outsider", []),
]

# Organisations whose administrator is created first (by the platform admin), so that the
# administrator grants the other roles as in real life.
ADMINS = {"lumina": "admin.a", "pascupas": "admin.b", "network": "coordinator",
          "openroads": "admin.openroads", "harbour": "admin.harbour", "police": "police",
          "labour": "inspector", "io": "io"}


def email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


# Fictional persons assisted, in the scripts caseworkers meet: (org, name, consents, closed years ago)
PERSONS = [
    ("lumina", "Olena Kovalenko", ["case_management", "referral"], None),
    ("lumina", "Олена Коваленко", ["case_management"], None),
    ("lumina", "Ion Rusu", ["case_management", "statistics"], None),
    ("lumina", "Mariana Ceban", ["case_management"], 6),
    ("lumina", "Сергій Мельник", ["case_management", "referral"], None),
    ("lumina", "Daniela Lungu", [], None),
    ("lumina", "Юлія Бондар", ["case_management"], 1),
    ("lumina", "Vasile Botnaru", ["case_management", "research"], None),
    ("pascupas", "Ana Popescu", ["case_management"], None),
    ("pascupas", "Андрій Шевчук", ["case_management", "referral"], None),
    ("pascupas", "Elena Munteanu", ["case_management"], None),
]


# Fictional names for demo cases. Each person's name is in one script: Moldovan, Romanian and
# Albanian names in Latin letters; Ukrainian, Bulgarian and Russian-speaking Moldovan names in
# Cyrillic. (citizenship, script, women's first names, men's first names, surnames as
# (men's form, women's form)).
NAME_POOLS = [
    ("MD", "Latin", ["Doina", "Mariana", "Lilia", "Tatiana", "Cristina", "Viorica"],
     ["Vasile", "Sergiu", "Nicolae", "Valeriu", "Dumitru"],
     [("Cebotari", "Cebotari"), ("Botnaru", "Botnaru"), ("Turcanu", "Turcanu"),
      ("Cojocari", "Cojocari"), ("Guțu", "Guțu"), ("Spînu", "Spînu")]),
    ("RO", "Latin", ["Ioana", "Andreea", "Florentina", "Georgiana", "Roxana"],
     ["Florin", "Gheorghe", "Marius", "Cătălin"],
     [("Dumitrescu", "Dumitrescu"), ("Stoica", "Stoica"), ("Vlad", "Vlad"),
      ("Munteanu", "Munteanu"), ("Constantin", "Constantin")]),
    ("AL", "Latin", ["Elira", "Arta", "Besa", "Drita", "Mirela"],
     ["Arben", "Gentian", "Ilir", "Dritan"],
     [("Hoxha", "Hoxha"), ("Shehu", "Shehu"), ("Dervishi", "Dervishi"), ("Kola", "Kola")]),
    ("UA", "Cyrillic", ["Оксана", "Наталія", "Юлія", "Тетяна", "Ганна", "Людмила"],
     ["Тарас", "Олег", "Богдан", "Василь"],
     [("Бондаренко", "Бондаренко"), ("Ткаченко", "Ткаченко"), ("Кравчук", "Кравчук"),
      ("Олійник", "Олійник"), ("Савчук", "Савчук"), ("Литвиненко", "Литвиненко")]),
    ("BG", "Cyrillic", ["Десислава", "Гергана", "Петя", "Милена"],
     ["Стоян", "Димитър", "Красимир"],
     [("Георгиев", "Георгиева"), ("Стоянов", "Стоянова"), ("Димитров", "Димитрова")]),
    ("MD", "Cyrillic", ["Светлана", "Ирина", "Галина"], ["Дмитрий", "Николай"],
     [("Кузнецов", "Кузнецова"), ("Морозов", "Морозова"), ("Волков", "Волкова")]),
]

# What happened to the people assisted, in the shapes caseworkers see most (all fictional):
# (types of exploitation, forced-labour industry, methods of recruitment, methods of control,
#  relationship to trafficker, (country, place) of exploitation, services, for a child?)
CASE_STORIES = [
    (["ForcedLabour"], "A_AgricultureForestryAndFishing", ["ThroughAnOnlineAdvertisement"],
     ["DebtBondage", "WithholdsDocuments", "ExcessiveWorkingHours"], "Recruiter",
     ("IT", "Greenhouses near Ragusa"), ["shelter", "legal", "job_counselling"], False),
    (["ForcedLabour"], "F_Construction", ["ThroughFriendsOrSocialEvents"],
     ["TakesEarnings", "ThreatsLawEnforcement", "WithholdsDocuments"], "Employer",
     ("PL", "Building site outside Wrocław"), ["legal", "interpretation", "financial"], False),
    (["SexualExploitation"], "", ["ThroughOnlineSocialNetworks"],
     ["PhysicalThreats", "PsychologicalAbuse", "TakesEarnings"], "IntimatePartner",
     ("DE", "Rented flat in Frankfurt"), ["shelter", "medical", "psychological"], False),
    (["ForcedLabour", "Servitude"], "T_ActivitiesOfHouseholdsAsEmployers",
     ["ThroughFamilyOrFamilyEvents"], ["WithholdsDocuments", "RestrictsFinancialAccess"],
     "FamilyMember", ("TR", "Private household in Istanbul"), ["psychological", "legal"], False),
    (["ForcedLabour"], "I_AccommodationAndFoodServiceActivities", ["ThroughANewspaperAdvert"],
     ["FalsePromises", "ExcessiveWorkingHours", "WithholdsNecessities"], "Recruiter",
     ("GR", "Hotel kitchen on Crete"), ["job_counselling", "economic_empowerment"], False),
    (["ForcedLabour"], "C_Manufacturing", ["AtWork"], ["DebtBondage", "TakesEarnings"],
     "Employer", ("CZ", "Packaging plant near Brno"), ["legal", "financial"], False),
    (["SexualExploitation", "ForcedMarriage"], "", ["ThroughFamilyOrFamilyEvents"],
     ["SexualAbuse", "ThreatensChildrenFamily"], "IntimatePartner",
     ("CY", "Bar in Limassol"), ["shelter", "psychological", "legal", "medical"], False),
    (["ForcedBegging"], "", ["ThroughFamilyOrFamilyEvents"], ["PhysicalAbuse", "TakesEarnings"],
     "FamilyMember", ("FR", "Metro stations in Paris"), ["shelter", "education",
                                                         "psychological"], True),
    (["SexualExploitation"], "", ["ThroughOnlineSocialNetworks"],
     ["PsychologicalAbuse", "PsychoactiveSubstance"], "Friend",
     ("RO", "Rented rooms in Bucharest"), ["shelter", "psychological", "education"], True),
    (["ChildLabour"], "A_AgricultureForestryAndFishing", ["ThroughFriendsOrSocialEvents"],
     ["ExcessiveWorkingHours", "WithholdsNecessities"], "Employer",
     ("RU", "Farm near Krasnodar"), ["education", "medical"], True),
]

CASE_NOTES = [
    "First interview at the office with an interpreter; agreed to meet again next week.",
    "Accompanied to the clinic for a check-up.",
    "Called the helpline from abroad; return organised with the consulate.",
    "Talked through the options for a complaint to the police; wants time to decide.",
    "Family contacted with consent; a sister can host for the first month.",
    "Attended the vocational course orientation day.",
]
PLAN_OBJECTIVES = [
    "Safe accommodation for the first three months",
    "Replace the identity documents held by the employer",
    "Statement to the police with a lawyer present",
    "Vocational course and a first job interview",
    "Medical check-up and treatment followed up",
    "Claim the unpaid wages",
]
CASE_TASKS = [
    "Call the lawyer about the hearing date",
    "Book the interpreter for the next meeting",
    "Follow-up call a month after the return",
    "Ask the consulate about a new passport",
    "Send the school enrolment papers",
]
CASES_PER_ORG = {"lumina": 14, "pascupas": 10, "openroads": 8, "harbour": 8}


# Designated anti-trafficking points of contact: (org key, person, function, phone, e-mail,
# availability, languages, alternative channel). Fictional numbers from reserved ranges.
CONTACTS = [
    ("police", "police", "Head of the victim identification section", "+37322000101",
     "poc@cctd.demo.bridgeway.test", "Monday to Friday, 8:00–17:00", ("ro", "ru"),
     "Outside office hours: the duty officer, +37322000100"),
    ("lumina", "supervisor.a", "Case management supervisor", "+37322000201",
     "referrals@lumina.demo.bridgeway.test", "Monday to Friday, 9:00–18:00", ("ro", "ru", "en"),
     "Helpline 24/7 for urgent referrals: +37380000200"),
]

# One national task force: (name, convener, level, country, description, members, meetings)
# members: (org key, role); meetings: (days ago, attendee keys, agenda, decisions).
TASK_FORCE = (
    "National Anti-Trafficking Task Force (demo)", "police", "national", "MD",
    "Coordinates identification and referral between state agencies and CSOs.",
    [("lumina", "member"), ("openroads", "member"), ("labour", "member"), ("io", "observer")],
    [(60, ["police", "lumina", "labour", "io"],
      "Review of the referral procedure; training plan for labour inspectors.",
      "CSOs take part in joint identification interviews on request. Training in two regions."),
     (14, ["police", "lumina", "openroads"],
      "Response times to referrals; shelter capacity.",
      "Police answer CSO referrals within 48 hours; capacity reviewed monthly.")],
)
# Civic space: (org, title, date, country, actors, types, visibility, status, description,
# affected organisation anonymous?)
CIVIC_INCIDENTS = [
    ("lumina", "Shelter registration refused a third time", "2025-11-04", "MD",
     ("national_authority",), ("burdensome_registration",), "public", "published",
     "The registration office asked again for documents already filed.", True),
    ("lumina", "Not invited to the identification working group", "2026-02-12", "MD",
     ("national_authority", "law_enforcement"), ("excluded_identification",), "network",
     "published", "CSOs were left out of the new formal identification procedure.", False),
    ("pascupas", "Foreign grants must be pre-approved", "2026-01-20", "RO",
     ("parliament",), ("foreign_funding_restriction", "restrictive_ngo_law"), "public",
     "verified", "A draft law requires prior approval of any foreign grant.", True),
    ("harbour", "Denied access to the transit centre", "2026-04-03", "RO",
     ("local_authority",), ("denied_facility_access",), "public", "under_review",
     "Outreach staff were turned away at the gate.", True),
    ("harbour", "Online campaign against 'gender ideology'", "2026-05-18", "RO",
     ("religious_conservative", "media"), ("smear_campaign",), "organisation", "reported",
     "Posts accused the shelter of promoting 'gender ideology'.", True),
    ("pascupas", "Municipal grant withdrawn", "2025-09-01", "RO", ("local_authority",),
     ("funding_cut",), "network", "rejected", "A grant was withdrawn after a change of mayor.",
     True),
]
CIVIC_ASSESSMENTS = [
    ("MD", "2024-01-01", "2024-12-31", "narrowed", "stable", "Registration is slow but possible."),
    ("MD", "2025-01-01", "", "obstructed", "worsening",
     "Repeated refusals and exclusion from identification."),
    ("RO", "2025-01-01", "", "narrowed", "worsening", "Draft restrictions on foreign funding."),
]
CIVIC_CONSULTATIONS = [
    ("MD", "National anti-trafficking action plan 2026–2030", "nap", "closed", "2025-10-01",
     [("lumina", "no", "no", "", "unknown"), ("openroads", "yes", "yes", "written", "partly")]),
    ("RO", "Law on associations and foundations (amendment)", "law", "open", "2026-03-15",
     [("pascupas", "yes", "yes", "hearing", "no"), ("harbour", "no", "no", "", "unknown")]),
]
