"""Human names for stored codes, marked for translation; translate with ``_()`` where shown."""

from __future__ import annotations

import enum

from parliament_app.core.i18n import N_, _
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Community,
    ConsentScope,
    Gender,
    GroupKind,
    GuardianRelationship,
    InterestKind,
    OrganisationKind,
    RiskCategory,
    Role,
    SocioEconomicBand,
)

ORGANISATION_KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.SCHOOL: N_("School"),
    OrganisationKind.CSW: N_("Centre for social work"),
    OrganisationKind.NGO: N_("NGO"),
    OrganisationKind.MUNICIPALITY: N_("Municipality"),
}
RISK_CATEGORY_LABELS: dict[RiskCategory, str] = {
    RiskCategory.WITHOUT_PARENTAL_CARE: N_("Without parental care"),
    RiskCategory.INSTITUTION_OR_FOSTER_CARE: N_("In an institution or foster care"),
    RiskCategory.NEGLECTED: N_("Neglected"),
    RiskCategory.FAMILY_AT_RISK: N_("Family at risk"),
    RiskCategory.SOCIAL_AID: N_("Family receives social aid"),
    RiskCategory.BEHAVIOUR_PROBLEMS: N_("Behaviour problems"),
    RiskCategory.OUT_OF_SCHOOL: N_("Out of school"),
    RiskCategory.DISABILITY: N_("Disability"),
    RiskCategory.DOMESTIC_VIOLENCE: N_("Domestic violence"),
    RiskCategory.STREET_INVOLVED: N_("Street-involved"),
}
ROLE_LABELS = {
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.FACILITATOR: N_("Facilitator"),
    Role.SCHOOL_COORDINATOR: N_("School coordinator"),
    Role.SOCIAL_WORKER: N_("Social worker"),
}
GENDER_LABELS = {
    Gender.FEMALE: N_("Girl"),
    Gender.MALE: N_("Boy"),
    Gender.OTHER: N_("Other"),
    Gender.UNSPECIFIED: N_("Not stated"),
}
COMMUNITY_LABELS = {
    Community.SERBIAN: N_("Serbian"),
    Community.ALBANIAN: N_("Albanian"),
    Community.BOSNIAK: N_("Bosniak"),
    Community.MACEDONIAN: N_("Macedonian"),
    Community.ROMA: N_("Roma"),
    Community.EGYPTIAN: N_("Egyptian"),
    Community.ASHKALI: N_("Ashkali"),
    Community.CROATIAN: N_("Croatian"),
    Community.MONTENEGRIN: N_("Montenegrin"),
    Community.TURKISH: N_("Turkish"),
    Community.GORANI: N_("Gorani"),
    Community.OTHER: N_("Other community"),
    Community.PREFER_NOT_TO_SAY: N_("Prefers not to say"),
}
SES_LABELS = {
    SocioEconomicBand.LOW: N_("Low income"),
    SocioEconomicBand.MIDDLE: N_("Middle income"),
    SocioEconomicBand.HIGH: N_("Higher income"),
    SocioEconomicBand.UNKNOWN: N_("Unknown"),
}
CARE_LABELS = {
    CareSituation.PARENTS: N_("Lives with parents"),
    CareSituation.SINGLE_PARENT: N_("Lives with one parent"),
    CareSituation.RELATIVES: N_("Lives with relatives"),
    CareSituation.FOSTER_CARE: N_("Foster care"),
    CareSituation.INSTITUTION: N_("Residential institution"),
    CareSituation.OTHER: N_("Other arrangement"),
    CareSituation.UNKNOWN: N_("Unknown"),
}
CONSENT_LABELS = {
    ConsentScope.PARTICIPATION: N_("Participation in the programme"),
    ConsentScope.PHOTOS: N_("Photos"),
    ConsentScope.CSW_SHARING: N_("Sharing participation with the centre for social work"),
}
RELATIONSHIP_LABELS = {
    GuardianRelationship.MOTHER: N_("Mother"),
    GuardianRelationship.FATHER: N_("Father"),
    GuardianRelationship.GRANDPARENT: N_("Grandparent"),
    GuardianRelationship.SIBLING: N_("Adult sibling"),
    GuardianRelationship.FOSTER_PARENT: N_("Foster parent"),
    GuardianRelationship.LEGAL_GUARDIAN: N_("Legal guardian"),
    GuardianRelationship.OTHER: N_("Other"),
}
INTEREST_LABELS = {
    InterestKind.SPORT: N_("Sport"),
    InterestKind.MUSIC: N_("Music"),
    InterestKind.TOPIC: N_("Topic"),
    InterestKind.OTHER: N_("Other"),
}
GROUP_KIND_LABELS = {
    GroupKind.PARLIAMENT: N_("Children's parliament"),
    GroupKind.SPORT_CLUB: N_("Sport club"),
    GroupKind.MUSIC_CLUB: N_("Music club"),
    GroupKind.OTHER_CLUB: N_("Club"),
    GroupKind.WORKSHOP_SERIES: N_("Workshop series"),
}
AUDIT_ACTION_LABELS = {
    AuditAction.CREATE: N_("Created"),
    AuditAction.UPDATE: N_("Changed"),
    AuditAction.DELETE: N_("Deleted"),
    AuditAction.READ_SPECIAL: N_("Viewed special-category data"),
    AuditAction.EXPORT: N_("Exported"),
    AuditAction.SIGN_IN: N_("Signed in"),
    AuditAction.SIGN_IN_FAILED: N_("Failed sign-in"),
    AuditAction.SIGN_OUT: N_("Signed out"),
}

_ALL: dict[type, dict] = {
    type(next(iter(table))): table
    for table in (
        ROLE_LABELS,
        GENDER_LABELS,
        COMMUNITY_LABELS,
        SES_LABELS,
        CARE_LABELS,
        CONSENT_LABELS,
        RELATIONSHIP_LABELS,
        INTEREST_LABELS,
        GROUP_KIND_LABELS,
        AUDIT_ACTION_LABELS,
        ORGANISATION_KIND_LABELS,
        RISK_CATEGORY_LABELS,
    )
}


def label(value: enum.Enum | None) -> str:
    """The translated name of a stored code ("—" for none)."""
    if value is None:
        return "—"
    return _(_ALL[type(value)][value])
