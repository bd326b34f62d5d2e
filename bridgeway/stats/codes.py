"""Code lists of the statistics store, kept as data.

Two outside layouts meet here:

- CTDC, the Counter Trafficking Data Collaborative's global (k-anonymised) dataset: one row per
  victim, `;`-separated, an unnamed first column, 0/1 flags and blank where a value was not
  recorded or was suppressed for k-anonymity. Column names and order below are those of the CTDC
  global k-anonymised dataset as published (2021 release); see docs/stats.md for what is doubtful.
- HTCDS v2.0 (IOM): the spellings of its field names in Field_Definitions.md, the .ods, the
  Excel template and the XLSForm, and its picklist value names and labels.

A StatRecord stores CTDC's vocabulary where CTDC has one (it is the richer list for means of
control and the one published statistics use) and HTCDS's where CTDC has none.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetKind(models.TextChoices):
    CTDC = "ctdc", _("CTDC global dataset format")
    HTCDS = "htcds", _("HTCDS")
    LIVE = "live", _("Live cases of the organisation")


# --- CTDC -------------------------------------------------------------------------------------

# CTDC's age bands (ageBroad). The published files write them "0--8"; "0-8" and "0–8" are read too.
AGE_BANDS = ["0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+"]
_AGE_LIMITS = [(8, "0-8"), (17, "9-17"), (20, "18-20"), (23, "21-23"), (26, "24-26"),
               (29, "27-29"), (38, "30-38"), (47, "39-47")]


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return ""
    for upper, band in _AGE_LIMITS:
        if age <= upper:
            return band
    return "48+"


def ctdc_age_text(band: str) -> str:
    return band.replace("-", "--") if band and band != "48+" else band


GENDERS = ["Female", "Male", "TransgenderNonConforming"]
# CTDC's spellings (older releases: Female/Male; the k-anonymised one: Woman/Man) -> stored code.
CTDC_GENDER = {"female": "Female", "woman": "Female", "male": "Male", "man": "Male",
               "transgender/nonconforming": "TransgenderNonConforming",
               "trans/transgender/nonconforming": "TransgenderNonConforming",
               "transgender": "TransgenderNonConforming", "nonconforming": "TransgenderNonConforming"}
CTDC_GENDER_OUT = {"Female": "Female", "Male": "Male",
                   "TransgenderNonConforming": "Transgender/NonConforming"}

MAJORITY = {"adult": "Adult", "minor": "Minor"}
DATASOURCES = {"case management": "CaseManagement", "casemanagement": "CaseManagement",
               "hotline": "Hotline"}
DATASOURCE_OUT = {"CaseManagement": "Case Management", "Hotline": "Hotline"}

# Flag groups: CTDC column suffix -> stored code (the same word), with an English label for the
# *Concatenated columns CTDC also publishes.
MEANS_OF_CONTROL = {
    "DebtBondage": "Debt bondage", "TakesEarnings": "Takes earnings",
    "RestrictsFinancialAccess": "Restricts financial access", "Threats": "Threats",
    "PsychologicalAbuse": "Psychological abuse", "PhysicalAbuse": "Physical abuse",
    "SexualAbuse": "Sexual abuse", "FalsePromises": "False promises",
    "PsychoactiveSubstances": "Psychoactive substances", "RestrictsMovement": "Restricts movement",
    "RestrictsMedicalCare": "Restricts medical care",
    "ExcessiveWorkingHours": "Excessive working hours", "UsesChildren": "Uses children",
    "ThreatOfLawEnforcement": "Threat of law enforcement",
    "WithholdsNecessities": "Withholds necessities", "WithholdsDocuments": "Withholds documents",
    "Other": "Other", "NotSpecified": "Not specified",
}
EXPLOITATION = {
    "ForcedLabour": "Forced labour", "SexualExploit": "Sexual exploitation",
    "OtherExploit": "Other exploitation", "SexAndLabour": "Sexual exploitation and labour",
    "ForcedMarriage": "Forced marriage", "ForcedMilitary": "Forced military",
    "OrganRemoval": "Organ removal", "SlaveryAndPractices": "Slavery and similar practices",
}
LABOUR = {
    "Agriculture": "Agriculture", "Aquafarming": "Aquafarming", "Begging": "Begging",
    "Construction": "Construction", "DomesticWork": "Domestic work", "Hospitality": "Hospitality",
    "IllicitActivities": "Illicit activities", "Manufacturing": "Manufacturing",
    "MiningOrDrilling": "Mining or drilling", "Peddling": "Peddling",
    "Transportation": "Transportation", "Other": "Other", "NotSpecified": "Not specified",
}
SEX = {"Prostitution": "Prostitution", "Pornography": "Pornography",
       "RemoteInteractiveServices": "Remote interactive services",
       "PrivateSexualServices": "Private sexual services"}
RECRUITER = {"IntimatePartner": "Intimate partner", "Friend": "Friend", "Family": "Family",
             "Other": "Other", "Unknown": "Unknown"}

# StatRecord list field -> (CTDC column prefix, codes)
FLAG_GROUPS = {
    "means_of_control": ("meansOfControl", MEANS_OF_CONTROL),
    "exploitation": ("is", EXPLOITATION),
    "labour_types": ("typeOfLabour", LABOUR),
    "sex_types": ("typeOfSex", SEX),
    "recruiter_relations": ("recruiterRelation", RECRUITER),
}

# --- Vocabularies of StatRecord's code sets (stats.fields.CodeSetField) --------------------------
# Each list field of a record is stored as a bit mask over one of these tuples: bit i means
# codes[i]. APPEND ONLY: reordering or removing a code changes the meaning of every stored
# record (tests/stats/test_code_sets.py pins the order). At most 63 codes each.
MEANS_OF_CONTROL_CODES = tuple(MEANS_OF_CONTROL)
# CTDC's flags, then HTCDS types CTDC has no flag for.
EXPLOITATION_CODES = (*EXPLOITATION, "ChildLabour", "ForcedBegging", "ForcedAdoption",
                      "Surrogacy")
LABOUR_CODES = tuple(LABOUR)
SEX_CODES = tuple(SEX)
RECRUITER_CODES = tuple(RECRUITER)
# HTCDS vic_MethodOfRecruitment (cases.codes.RecruitmentMethod).
RECRUITMENT_CODES = (
    "AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork", "ThroughOnlineSocialNetworks",
    "ThroughAnOnlineAdvertisement", "ThroughATelevisionAdvert", "ThroughANewspaperAdvert",
    "ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents", "Other",
)
# Kinds of service delivered (orgs.codes.Service).
SERVICE_CODES = (
    "shelter", "medical", "psychological", "legal", "education", "job_counselling",
    "economic_empowerment", "interpretation", "financial", "helpline", "outreach",
    "return_reintegration", "identification",
)


# The 63 named columns of the CTDC global k-anonymised dataset, in order; the file adds an
# unnamed first column (a row number). (kind, StatRecord field or group) says how each is read.
CTDC_COLUMNS: list[tuple[str, str, str]] = [
    ("yearOfRegistration", "year", "year_of_registration"),
    ("Datasource", "datasource", "datasource"),
    ("gender", "gender", "gender"),
    ("ageBroad", "age", "age_band"),
    ("majorityStatus", "majority", "majority_status"),
    ("majorityStatusAtExploit", "majority", "majority_at_exploit"),
    ("majorityEntry", "majority", "majority_entry"),
    ("citizenship", "country", "citizenship"),
    *[(f"meansOfControl{c}", "flag", "means_of_control") for c in MEANS_OF_CONTROL],
    ("meansOfControlConcatenated", "derived", "means_of_control"),
    ("isForcedLabour", "flag", "exploitation"),
    ("isSexualExploit", "flag", "exploitation"),
    ("isOtherExploit", "flag", "exploitation"),
    ("isSexAndLabour", "flag", "exploitation"),
    ("isForcedMarriage", "flag", "exploitation"),
    ("isForcedMilitary", "flag", "exploitation"),
    ("isOrganRemoval", "flag", "exploitation"),
    ("isSlaveryAndPractices", "flag", "exploitation"),
    ("typeOfExploitConcatenated", "derived", "exploitation"),
    *[(f"typeOfLabour{c}", "flag", "labour_types") for c in LABOUR],
    ("typeOfLabourConcatenated", "derived", "labour_types"),
    *[(f"typeOfSex{c}", "flag", "sex_types") for c in SEX],
    ("typeOfSexConcatenated", "derived", "sex_types"),
    ("isAbduction", "bool", "is_abduction"),
    ("RecruiterRelationship", "derived", "recruiter_relations"),
    ("CountryOfExploitation", "country", "country_of_exploitation"),
    *[(f"recruiterRelation{c}", "flag", "recruiter_relations") for c in RECRUITER],
]
CTDC_NAMES = [c[0] for c in CTDC_COLUMNS]
# `unreported`: the CTDC flag columns that were blank, in the file's order.
UNREPORTED_CODES = tuple(name for name, kind, _target in CTDC_COLUMNS if kind == "flag")
# StatRecord field -> its vocabulary.
CODE_SETS = {
    "means_of_control": MEANS_OF_CONTROL_CODES, "exploitation": EXPLOITATION_CODES,
    "labour_types": LABOUR_CODES, "sex_types": SEX_CODES, "recruiter_relations": RECRUITER_CODES,
    "recruitment_methods": RECRUITMENT_CODES, "services": SERVICE_CODES,
    "unreported": UNREPORTED_CODES,
}
# Older CTDC files spell the sexual-exploitation flag in full.
CTDC_ALIASES = {"isSexualExploitation": "isSexualExploit"}
FLAG_VALUES = {"1": True, "0": False, "": None, "-99": None, "true": True, "false": False,
               "1.0": True, "0.0": False}


def flag_code(column: str) -> str:
    for prefix in ("meansOfControl", "typeOfLabour", "typeOfSex", "recruiterRelation", "is"):
        if column.startswith(prefix):
            return column[len(prefix):]
    return column


# --- HTCDS ------------------------------------------------------------------------------------

def norm(text: str) -> str:
    """Folds case, spaces and punctuation: `prs_First_Name`, `prs_FirstName`, `First Name` and
    `first name` are one spelling."""
    return re.sub(r"[^0-9a-z]+", "", (text or "").lower())


# Canonical HTCDS field -> every other spelling the standard itself uses (the Excel template's
# label row, its typo, the XLSForm's names). Normalised spellings are matched, so the canonical
# name also covers prs_First_Name and the like.
HTCDS_FIELDS: dict[str, list[str]] = {
    "cas_Status": ["Status", "Case Status"],
    "prs_Gender": ["Gender"],
    "prs_Citizenship": ["Citizenship"],
    "prs_Birthdate": ["Birthdate", "Date of Birth"],
    "vic_AgeWhenTrafficked": ["Age When Trafficked"],
    "vic_TraffickingStatus": ["Trafficking Status"],
    "vic_TraffickingStatusDecisionMakingOrg": [
        "vic_TraffickinStatusDecisionMakingOrg",  # the Excel template's spelling
        "Trafficking Status Decision Making Organization"],
    "vic_MethodOfRecruitment": ["Method of Recruitment"],
    "vic_MethodsOfControl": ["vic_Methods_of_Control", "Methods of Control"],
    "vic_TypeOfExploitation": ["Type of Exploitation"],
    "vic_ForcedLabourIndustry": ["Forced Labour Industry"],
    "vic_TypeOfSexExploitation": ["Type of Sex Exploitation"],
    "vic_LocationOfRecruitment": ["Location of Recruitment"],
    "vic_LocationOfExploitation": ["Location of Exploitation"],
    "vic_RelationshipToTrafficker": ["Relationship to Trafficker"],
    # CTDC's name, read in HTCDS files too: HTCDS has no field for when a case was registered.
    "yearOfRegistration": ["Year of Registration"],
}
# Fields the standard holds that a de-identified store must not keep: accepted (so a full HTCDS
# file imports) and dropped without being read; the report lists them.
HTCDS_DROPPED = [
    "cas_CaseOwner", "prs_Salutation", "prs_FirstName", "prs_MiddleName", "prs_SecondName",
    "prs_Title", "prs_Email", "prs_HomePhone", "prs_MobilePhone", "prs_MailingStreet",
    "prs_MailingCity", "prs_MailingState", "prs_MailingPostalCode", "prs_MailingCountry",
    "prs_MailingLatitude", "prs_MailingLongitude", "prs_IdentityNumber", "prs_Deceased",
    "prs_HighestLevelOfEducation", "prs_MaritalStatus", "prs_NumberOfChildren",
    "prs_PrimaryLanguage", "prs_SecondaryLanguage", "con_Consent",
    "vic_AgreementToManagePersonalData", "vic_DetailsOfVulnerabilities", "vic_Vulnerabilities",
    "vic_ExploitationWebsitesAndApps", "vic_RecruitmentWebsitesAndApps",
    "cas_ReferringOrganisation", "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails", "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker", "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails", "cas_ReasonForCaseClosure", "cco_CaseComment",
]
HTCDS_DROPPED_LABELS = [
    "Case Owner", "Salutation", "First Name", "Middle Name", "Second Name", "Title", "Email",
    "Home Phone", "Mobile Phone", "Mailing Street", "Mailing City", "Mailing State/Province",
    "Mailing Zip/Postal Code", "Mailing Country", "Consent", "Referring Organisation",
    "Incoming Referral Date", "Referring Primary Case Worker", "Reason for Incoming Referral",
    "Incoming Referral Details", "Referred Organisation", "Referred Primary Case Worker",
    "Reason for Outgoing Referral", "Outgoing Referral Date", "Outgoing Referral Details",
    "Reason for Case Closure",
]


def htcds_header_index() -> dict[str, str]:
    """Normalised spelling -> canonical field (or "" for a dropped personal/free-text field)."""
    index: dict[str, str] = {}
    for field, spellings in HTCDS_FIELDS.items():
        for spelling in [field, *spellings]:
            index[norm(spelling)] = field
    for field in [*HTCDS_DROPPED, *HTCDS_DROPPED_LABELS]:
        index.setdefault(norm(field), "")
    return index


# HTCDS value labels (XLSForm `choices` and the Excel template) that do not normalise to the
# value name; every name and every label that does is matched through norm().
HTCDS_VALUE_LABELS = {
    "Not Specified/Unknown": "NonSpecifiedUnknown",
    "Threats of law enforcement": "ThreatsLawEnforcement",
    "Agriculture, forestry and fishing": "A_AgricultureForestryAndFishing",
    "Mining and quarrying": "B_MiningAndQuarrying", "Manufacturing": "C_Manufacturing",
    "Electricity, gas, steam and air conditioning supply":
        "D_ElectricityGasSteamAndAirConditioningSupply",
    "Water supply; sewerage, waste management and remediation":
        "E_WaterSupplySewerageWasteManagement",
    "Construction": "F_Construction",
    "Wholesale and retail trade; repair of motor vehicles and motorcycles":
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "Transportation and storage": "H_TransportationAndStorage",
    "Accommodation and food service activities": "I_AccommodationAndFoodServiceActivities",
    "Information and communication": "J_InformationAndCommunication",
    "Financial and insurance activities": "K_FinancialAndInsuranceActivities",
    "Real estate activities": "L_RealEstateActivities",
    "Professional, scientific and technical activities":
        "M_ProfessionalScientificAndTechnicalActivities",
    "Administrative and support service activities": "N_AdministrativeAndSupportServiceActivities",
    "Public administration and defence; compulsory social security":
        "O_PublicAdministrationAndDefence",
    "Education": "P_Education",
    "Human health and social work activities": "Q_HumanHealthAndSocialWorkActivities",
    "Arts, entertainment and recreation": "R_ArtsEntertainmentAndRecreation",
    "Other service activities": "S_OtherServiceActivities",
    "Activities of households as employers; undifferentiated goods- and services- producing "
    "activities of households for own use": "T_ActivitiesOfHouseholdsAsEmployers",
    "Activities of extraterritorial organizations and bodies":
        "U_ActivitiesOfExtraterritorialOrganizations",
}

# HTCDS methods of control -> CTDC means of control. Field_Definitions.md's names
# (MethodsOfControlDebtBondage, …) are CTDC's words and are read as such.
HTCDS_CONTROL_TO_CTDC = {
    "PhysicalThreats": "Threats", "ThreatsLawEnforcement": "ThreatOfLawEnforcement",
    "ThreatensChildrenFamily": "Threats", "DebtBondage": "DebtBondage",
    "FalsePromises": "FalsePromises", "PhysicalAbuse": "PhysicalAbuse",
    "SexualAbuse": "SexualAbuse", "TakesEarnings": "TakesEarnings",
    "RestrictsFinancialAccess": "RestrictsFinancialAccess",
    "RestrictsMedicalCare": "RestrictsMedicalCare", "WithholdsNecessities": "WithholdsNecessities",
    "PsychologicalAbuse": "PsychologicalAbuse", "PsychoactiveSubstance": "PsychoactiveSubstances",
    "ExcessiveWorkingHours": "ExcessiveWorkingHours", "WithholdsDocuments": "WithholdsDocuments",
    "Other": "Other",
}
# HTCDS type of exploitation -> stored code: CTDC's flag where one matches, HTCDS's own code
# otherwise (exported to CTDC as OtherExploit).
HTCDS_EXPLOITATION_TO_STORE = {
    "ForcedLabour": "ForcedLabour", "SexualExploitation": "SexualExploit",
    "ForcedMarriage": "ForcedMarriage", "ForcedMilitaryByNonStateActors": "ForcedMilitary",
    "OrganRemoval": "OrganRemoval", "Servitude": "SlaveryAndPractices",
    "ChildLabour": "ChildLabour", "ForcedBegging": "ForcedBegging",
    "ForcedAdoption": "ForcedAdoption", "Surrogacy": "Surrogacy", "Other": "OtherExploit",
}
STORE_EXPLOITATION_TO_HTCDS = {
    "ForcedLabour": "ForcedLabour", "SexualExploit": "SexualExploitation",
    "ForcedMarriage": "ForcedMarriage", "ForcedMilitary": "ForcedMilitaryByNonStateActors",
    "OrganRemoval": "OrganRemoval", "SlaveryAndPractices": "Servitude",
    "ChildLabour": "ChildLabour", "ForcedBegging": "ForcedBegging",
    "ForcedAdoption": "ForcedAdoption", "Surrogacy": "Surrogacy", "OtherExploit": "Other",
}
HTCDS_GENDER_TO_STORE = {
    "Feminine": "Female", "Masculine": "Male", "TransgenderFeminine": "TransgenderNonConforming",
    "TransgenderMasculine": "TransgenderNonConforming", "NonConforming": "TransgenderNonConforming",
    "NonSpecifiedUnknown": "",
}
HTCDS_RELATION_TO_STORE = {
    "IntimatePartner": "IntimatePartner", "FamilyMember": "Family", "Friend": "Friend",
    "Employer": "Other", "Recruiter": "Other", "Other": "Other", "Unknown": "Unknown",
}
HTCDS_SEX = {"Prostitution": "Prostitution", "Pornography": "Pornography",
             "RemoteInteractiveServices": "RemoteInteractiveServices",
             "PrivateSexualServices": "PrivateSexualServices"}
# HTCDS export of an organisation's own cases: these columns, in this order (template names).
HTCDS_EXPORT_COLUMNS = [
    "cas_Status", "yearOfRegistration", "prs_Gender", "prs_Citizenship",
    "vic_AgeWhenTrafficked", "vic_TraffickingStatus", "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry", "vic_LocationOfExploitation", "vic_RelationshipToTrafficker",
]
HTCDS_PERSONAL_COLUMNS = ["prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_Email",
                          "prs_MobilePhone"]
