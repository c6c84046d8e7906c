"""A printable consent form for a child's guardian, in the guardian's language.

The page is complete HTML laid out for A4 paper: print it from the browser (or save it as PDF)
and give it to the guardian to read, tick and sign. It names the programme and who runs it, what
the child will do, exactly which data are kept, who sees them, for how long and how to withdraw,
with one box for each consent scope. Every value put into the page is HTML-escaped.
"""

from __future__ import annotations

import html

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    SOURCE_LANGUAGE,
    _,
    format_date,
    language_from_tag,
    using_language,
)
from parliament_app.core.labels import CONSENT_LABELS, RELATIONSHIP_LABELS
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    ConsentScope,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    Guardian,
    Municipality,
    Organisation,
    User,
)
from parliament_app.policy.access import Action, may, require

# How long records are kept after a child's last activity in the programme.
RETENTION_YEARS = 2
SCOPES = (ConsentScope.PARTICIPATION, ConsentScope.PHOTOS, ConsentScope.CSW_SHARING)

_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
* { box-sizing: border-box; }
html { font-size: 12pt; }
body {
  margin: 0 auto; max-width: 178mm; padding: 8mm 0;
  font-family: "DejaVu Sans", "Noto Sans", Arial, Helvetica, sans-serif;
  line-height: 1.4; color: #000; background: #fff;
}
h1 { font-size: 1.6rem; margin: 0 0 0.2rem 0; }
h2 { font-size: 1.15rem; margin: 1.1rem 0 0.3rem 0; border-bottom: 1px solid #444; }
p, li { margin: 0.25rem 0; }
ul { padding-left: 1.3rem; margin: 0.2rem 0; }
.programme { font-size: 1.05rem; margin-bottom: 0.6rem; }
table.facts { border-collapse: collapse; width: 100%; }
table.facts th {
  text-align: left; font-weight: normal; width: 38%; padding: 0.15rem 0.4rem 0.15rem 0;
}
table.facts td { font-weight: bold; padding: 0.15rem 0; }
.consents { list-style: none; padding-left: 0; }
.consents li { display: flex; align-items: flex-start; gap: 0.6rem; margin: 0.5rem 0; }
.box {
  display: inline-block; flex: none; width: 1.2rem; height: 1.2rem; margin-top: 0.15rem;
  border: 2px solid #000;
}
.signatures { width: 100%; margin-top: 1.2rem; border-collapse: collapse; }
.signatures td { padding: 1.6rem 0.8rem 0 0; vertical-align: bottom; width: 50%; }
.line { border-bottom: 1px solid #000; height: 1.6rem; }
.caption { font-size: 0.85rem; }
.printed { margin-top: 1rem; font-size: 0.8rem; color: #333; }
.print-button { font-size: 1rem; padding: 0.4rem 1rem; margin-bottom: 1rem; }
@media print {
  body { padding: 0; max-width: none; }
  .no-print { display: none !important; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .consents, .signatures { break-inside: avoid; page-break-inside: avoid; }
}
"""


def consent_form_html(
    session: Session,
    user: User,
    child_id: int,
    guardian_id: int,
    language: str | None = None,
    group_id: int | None = None,
) -> str:
    """The consent form for this child and guardian, as a print-ready HTML page.

    In ``language`` when given, else in the guardian's preferred language. The programme's
    organiser is taken from ``group_id`` when given, else from the child's current groups (a
    parliament first), else from a parliament in the child's municipality.
    """
    child = session.get(Child, child_id)
    if child is None or not may(session, user, Action.VIEW_CHILD, child):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    require(session, user, Action.RECORD_CONSENT, child)
    link = session.get(ChildGuardian, (child.id, guardian_id))
    guardian = session.get(Guardian, guardian_id) if link else None
    if link is None or guardian is None:
        raise ValidationError(_("This guardian is not linked to the child."), "guardian")
    form_language = _form_language(language or guardian.preferred_language)
    organisation, municipality = _programme(session, child, group_id)
    school = session.get(Organisation, child.school_id) if child.school_id else None
    with using_language(form_language):
        page = _render(
            form_language,
            child=child,
            guardian=guardian,
            link=link,
            school_name=school.name if school else None,
            organisation_name=organisation.name if organisation else None,
            municipality_name=municipality.name if municipality else "",
        )
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "consent_form",
        child.id,
        guardian_id=guardian.id,
        language=form_language,
    )
    return page


def _form_language(language: str | None) -> str:
    if language in LANGUAGE_NAMES:
        return language
    return language_from_tag(language) or SOURCE_LANGUAGE


def _programme(
    session: Session, child: Child, group_id: int | None
) -> tuple[Organisation | None, Municipality | None]:
    """Who runs the programme the form is for, and in which municipality."""
    if group_id is not None:
        group = session.get(Group, group_id)
        if group is None:
            raise NotFound(_("This group does not exist or is not visible to you."))
    else:
        parliament_first = case((Group.kind == GroupKind.PARLIAMENT, 0), else_=1)
        group = session.scalar(
            select(Group)
            .join(Enrolment, Enrolment.group_id == Group.id)
            .where(
                Enrolment.child_id == child.id,
                Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
            )
            .order_by(parliament_first, Group.id)
            .limit(1)
        ) or session.scalar(
            select(Group)
            .where(
                Group.municipality_id == child.municipality_id,
                Group.kind == GroupKind.PARLIAMENT,
                Group.active.is_(True),
            )
            .order_by(Group.id)
            .limit(1)
        )
    if group is None:
        return None, session.get(Municipality, child.municipality_id)
    return session.get(Organisation, group.organisation_id), session.get(
        Municipality, group.municipality_id
    )


def _e(text: str, **values: object) -> str:
    """Escape a translated sentence and put the escaped values into its placeholders."""
    escaped = html.escape(text)
    if not values:
        return escaped
    return escaped.format(**{name: html.escape(str(value)) for name, value in values.items()})


def _render(
    language: str,
    *,
    child: Child,
    guardian: Guardian,
    link: ChildGuardian,
    school_name: str | None,
    organisation_name: str | None,
    municipality_name: str,
) -> str:
    """The page, in the current language (the caller wraps this in ``using_language``).

    Every ``_()`` call stays outside the page's f-string, where message extraction finds it.
    """
    child_name = f"{child.given_name} {child.family_name}"
    guardian_name = f"{guardian.given_name} {guardian.family_name}"
    programme = _("Children's Parliament")
    if organisation_name:
        runner = _e(
            _("{programme} is run by {organisation} in the municipality of {municipality}."),
            programme=programme,
            organisation=organisation_name,
            municipality=municipality_name,
        )
    else:
        runner = _e(
            _("{programme} in the municipality of {municipality}."),
            programme=programme,
            municipality=municipality_name,
        )
    title = _e(_("Consent form: {programme}"), programme=programme)

    facts = [
        (_("Child"), child_name),
        (_("Date of birth"), format_date(child.birth_date, "long")),
        (_("School"), school_name or "—"),
        (_("Parent or guardian"), guardian_name),
        (_("Relationship to the child"), _(RELATIONSHIP_LABELS[link.relationship_kind])),
        (_("Guardian's phone"), guardian.phone or "—"),
    ]
    facts_rows = "\n".join(
        f"<tr><th>{_e(heading)}</th><td>{html.escape(value)}</td></tr>" for heading, value in facts
    )
    activities = [
        _(
            "Regular sessions of the children's parliament, where children of different ages "
            "and backgrounds discuss, learn and decide together."
        ),
        _(
            "Workshops with psychologists, teachers and other specialists, including how to "
            "recognise exploitation and trafficking and whom to turn to."
        ),
        _("Sport and music clubs, and presentations to schoolmates of what the children learned."),
    ]
    data_kept = [
        _("Your child's name, date of birth and gender."),
        _("Your child's school and class."),
        _(
            "Your name, your relationship to the child, your phone number and your preferred "
            "language, so that we can reach you."
        ),
        _("Which sessions, workshops and clubs your child attends (attendance)."),
        _(
            "The languages spoken at home, the area where you live, your child's interests and, "
            "if known, the household's income band: used to plan activities and keep the groups "
            "mixed."
        ),
        _(
            "Your child's community, only if you choose to tell us. It is used only to keep the "
            'groups mixed, and "prefer not to say" is always a possible answer.'
        ),
        _(
            "For children referred by a centre for social work: that centre's record of why it "
            "follows the child, which only that centre can read."
        ),
        _("The consents you give or withdraw, and when."),
    ]
    who_sees = [
        _(
            "The facilitators of your child's groups: all of the above except the community and "
            "the centre for social work's record."
        ),
        _(
            "The coordinator at your child's school, for the school's own pupils: all of the "
            "above except the centre for social work's record."
        ),
        _(
            "A centre for social work: only the children it follows, and their participation "
            "only if you agree to sharing below."
        ),
        _(
            "The programme's administrators, who look after the system. Every view of "
            "sensitive information is recorded."
        ),
        _("Nobody else. We do not publish or sell your child's data."),
    ]
    retention = _e(
        _(
            "We keep the data while your child takes part and for {years} years after your "
            "child's last activity; then they are deleted."
        ),
        years=RETENTION_YEARS,
    )
    withdrawal = [
        _(
            "You can withdraw any consent at any time, without giving a reason: tell the "
            "facilitator or your child's school."
        ),
        _(
            "Withdrawing the consent to participation ends your child's future participation "
            "in all groups. Withdrawing the consent to photos or to sharing stops only that."
        ),
    ]
    consent_items = "\n".join(
        f'<li><span class="box" aria-hidden="true"></span>'
        f"<span>{_e(_(CONSENT_LABELS[scope]))}</span></li>"
        for scope in SCOPES
    )
    text = {
        "print": _e(_("Print")),
        "activities": _e(_("What your child will do")),
        "excursions": _e(
            _("Excursions need a separate consent: we will ask you before each excursion.")
        ),
        "data": _e(_("Which data we keep")),
        "who": _e(_("Who sees the data")),
        "how_long": _e(_("How long we keep the data")),
        "withdraw": _e(_("How to withdraw")),
        "consent": _e(_("Your consent")),
        "tick": _e(
            _(
                "Tick each box you agree to. You may agree to participation without agreeing "
                "to the others."
            )
        ),
        "name": _e(_("Name of the parent or guardian")),
        "signature": _e(_("Signature")),
        "place": _e(_("Place")),
        "date": _e(_("Date")),
        "printed": _e(_("Form printed on {date}."), date=format_date(local_today(), "long")),
    }

    def items(sentences: list[str]) -> str:
        return "\n".join(f"<li>{_e(sentence)}</li>" for sentence in sentences)

    def paragraphs(sentences: list[str]) -> str:
        return "\n".join(f"<p>{_e(sentence)}</p>" for sentence in sentences)

    return f"""<!DOCTYPE html>
<html lang="{html.escape(language.replace("_", "-"))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<button type="button" class="no-print print-button" onclick="window.print()">
{text["print"]}
</button>
<h1>{title}</h1>
<p class="programme">{runner}</p>
<table class="facts">
{facts_rows}
</table>

<h2>{text["activities"]}</h2>
<ul>
{items(activities)}
</ul>
<p>{text["excursions"]}</p>

<h2>{text["data"]}</h2>
<ul>
{items(data_kept)}
</ul>

<h2>{text["who"]}</h2>
<ul>
{items(who_sees)}
</ul>

<h2>{text["how_long"]}</h2>
<p>{retention}</p>

<h2>{text["withdraw"]}</h2>
{paragraphs(withdrawal)}

<h2>{text["consent"]}</h2>
<p>{text["tick"]}</p>
<ul class="consents">
{consent_items}
</ul>

<table class="signatures">
<tr>
<td><div class="line"></div><div class="caption">{text["name"]}</div></td>
<td><div class="line"></div><div class="caption">{text["signature"]}</div></td>
</tr>
<tr>
<td><div class="line"></div><div class="caption">{text["place"]}</div></td>
<td><div class="line"></div><div class="caption">{text["date"]}</div></td>
</tr>
</table>
<p class="printed">{text["printed"]}</p>
</body>
</html>
"""
