"""HTCDS v2.0 value names (stored) with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):  # cas_Status
    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed (referred)")


OPEN_STATUSES = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)


class TraffickingStatus(models.TextChoices):  # vic_TraffickingStatus
    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class DecisionOrg(models.TextChoices):  # vic_TraffickingStatusDecisionMakingOrg
    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT = "CourtOrProsecution", _("Court or prosecution")
    NON_POLICE_GOV = "NonPoliceGovernmentalOrganization", _("Non-police governmental organisation")
    OTHER = "Other", _("Other")


# Which HTCDS decision-making kind an organisation's decisions count as.
DECISION_ORG_BY_TYPE = {
    "NGO": DecisionOrg.NGO, "CSONetwork": DecisionOrg.NGO, "LegalService": DecisionOrg.NGO,
    "LawEnforcement": DecisionOrg.POLICE,
    "CentralGovernmentOrganisation": DecisionOrg.NON_POLICE_GOV,
    "LocalGovernmentOrganisation": DecisionOrg.NON_POLICE_GOV,
    "ImmigrationService": DecisionOrg.NON_POLICE_GOV,
    "HealthServiceOrganisation": DecisionOrg.NON_POLICE_GOV,
}
# Decisions by these count as the state's formal identification; NGO decisions are the CSO's own.
FORMAL_DECISION_ORGS = {DecisionOrg.POLICE, DecisionOrg.COURT, DecisionOrg.NON_POLICE_GOV}


class Gender(models.TextChoices):  # prs_Gender
    FEMININE = "Feminine", _("Female")
    MASCULINE = "Masculine", _("Male")
    TRANS_FEMININE = "TransgenderFeminine", _("Transgender female")
    TRANS_MASCULINE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified / unknown")


class Exploitation(models.TextChoices):  # vic_TypeOfExploitation
    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military service by non-state "
                                                           "actors")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


SEXUAL_EXPLOITATION = {Exploitation.SEXUAL}


class RecruitmentMethod(models.TextChoices):  # vic_MethodOfRecruitment
    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATION = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TV_AD = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_AD = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class ControlMethod(models.TextChoices):  # vic_Methods_of_Control
    PHYSICAL_THREATS = "PhysicalThreats", _("Threats of physical harm")
    THREATS_LAW = "ThreatsLawEnforcement", _("Threats of law enforcement action")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threats to children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCES = "RestrictsFinancialAccess", _("Restricts access to money")
    RESTRICTS_MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCES = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class Relationship(models.TextChoices):
    # HTCDS v2.0 names the field (vic_RelationshipToTrafficker) without a value list; these are
    # the categories CTDC publishes.
    INTIMATE_PARTNER = "IntimatePartner", _("Intimate partner")
    FAMILY = "FamilyMember", _("Family member")
    FRIEND = "Friend", _("Friend or acquaintance")
    EMPLOYER = "Employer", _("Employer")
    RECRUITER = "Recruiter", _("Recruiter or agency")
    OTHER = "Other", _("Other")
    UNKNOWN = "Unknown", _("Unknown")


class EventKind(models.TextChoices):  # hte_
    RECRUITMENT = "recruitment", _("Recruitment")
    TRANSIT = "transit", _("Transit")
    EXPLOITATION = "exploitation", _("Exploitation")


class ContactChannel(models.TextChoices):  # how an anonymous first contact came in
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    IN_PERSON = "in_person", _("In person")
    OUTREACH = "outreach", _("Outreach")


class ServiceOutcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined by the person")
    NOT_AVAILABLE = "not_available", _("Not available")


class IndicatorSource(models.TextChoices):
    SELF_REPORT = "self_report", _("The person's account")
    OBSERVATION = "observation", _("Caseworker's observation")
    DOCUMENT = "document", _("Document")
    THIRD_PARTY = "third_party", _("Third party")


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Support plan completed")
    REFERRED = "referred", _("Referred to another organisation")
    DECLINED = "declined", _("The person declined further support")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")
    MERGED = "merged", _("Merged into another case")
    OTHER = "other", _("Other")


class ForcedLabourIndustry(models.TextChoices):  # vic_ForcedLabourIndustry (ISIC sections)
    A = "A_AgricultureForestryAndFishing", _("Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("Mining and quarrying")
    C = "C_Manufacturing", _("Manufacturing")
    D = "D_ElectricityGasSteamAndAirConditioningSupply", _("Electricity, gas and steam supply")
    E = "E_WaterSupplySewerageWasteManagement", _("Water supply, sewerage, waste management")
    F = "F_Construction", _("Construction")
    G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _("Wholesale and retail trade")
    H = "H_TransportationAndStorage", _("Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("Accommodation and food service")  # noqa: E741
    J = "J_InformationAndCommunication", _("Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("Financial and insurance activities")
    L = "L_RealEstateActivities", _("Real estate activities")
    M = "M_ProfessionalScientificAndTechnicalActivities", _("Professional, scientific and "
                                                             "technical activities")
    N = "N_AdministrativeAndSupportServiceActivities", _("Administrative and support services")
    O = "O_PublicAdministrationAndDefence", _("Public administration and defence")  # noqa: E741
    P = "P_Education", _("Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Human health and social work")
    R = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _("Households as employers (domestic work)")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("Extraterritorial organisations")


class IdentityDocumentKind(models.TextChoices):  # prs_ identity documents
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    OTHER = "other", _("Other document")
