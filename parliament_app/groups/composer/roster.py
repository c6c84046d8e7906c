"""The composer as a service: loads a group's candidates, runs ``compose`` and returns what a
facilitator may see (no community or referral per child; small cells suppressed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.groups.composer.rules import (
    CAPACITY_FULL,
    NOT_STATED,
    Candidate,
    ComposerSettings,
    Composition,
    Proposal,
    category,
    composition,
)
from parliament_app.groups.composer.search import compose
from parliament_app.groups.diversity.measures import UnitFlags, unit_flags
from parliament_app.models import (
    AuditAction,
    Child,
    Community,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Gender,
    Group,
    Organisation,
    RiskRecord,
    SocioEconomicBand,
    User,
)
from parliament_app.policy.access import exclude_erased
from parliament_app.policy.groups import require_leader_of

MARGINALISED = frozenset({"roma", "egyptian", "ashkali"})


SMALL_CELL = 5


SUPPRESSED_SMALL = "<5"  # a suppressed count below SMALL_CELL (possibly 0)


SUPPRESSED_LARGE = "5+"  # a count of SMALL_CELL or more, suppressed so others can't be derived


REASON_GROUP_FULL = "group_full"


REASON_KEEPS_MIXED = "keeps_group_mixed"


SuppressedComposition = dict[str, dict[str, int | str]]


@dataclass(frozen=True)
class RosterChild:
    """One candidate as a facilitator sees them: nothing about their background."""

    id: int
    given_name: str
    family_name: str
    placed: bool
    reason: str | None  # None when placed; REASON_GROUP_FULL or REASON_KEEPS_MIXED
    beyond_mix: bool = False  # placed in a free place the mix alone would have left empty


@dataclass(frozen=True)
class CommunityFlags:
    """The flags of diversity.md for one set of children, named only for groups of 5 or more."""

    ghetto_risk: bool
    ghetto_group: str | None
    single_group: bool
    risk_band: bool
    risk_groups: list[str]


@dataclass(frozen=True)
class RosterProposal:
    group_id: int
    capacity: int
    max_share: float
    size: int  # the roster size aimed for
    cap: int  # the most children of one category
    placed_ids: list[int]  # the proposed roster, to accept or edit
    children: list[RosterChild]  # placed (roster order), then not placed (waiting order)
    empty_places: int
    empty_reason: str | None  # REASON_KEEPS_MIXED when places stay empty
    filled_beyond_mix: int  # free places given to children the share limit would keep out
    # Per dimension, category -> count, or SUPPRESSED_SMALL / SUPPRESSED_LARGE; an empty mapping
    # for a dimension means it is withheld whole. "before" is every candidate, "after" the roster.
    before: SuppressedComposition
    after: SuppressedComposition
    flags: dict[str, CommunityFlags]  # "before" and "after", community dimension
    exhaustive: bool


def age_band(birth_date: date, today: date) -> str:
    """7–10, 11–14 or 15–18 (younger children count as 7–10, older as 15–18)."""
    age = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        age -= 1
    if age <= 10:
        return "7-10"
    if age <= 14:
        return "11-14"
    return "15-18"


def propose_roster(
    session: Session,
    user: User,
    group_id: int,
    capacity: int | None = None,
    max_share: float = 0.5,
    *,
    today: date | None = None,
    fill_free_places: bool = True,
) -> RosterProposal:
    """Propose a mixed roster for a group from its current members and its waiting list.

    With ``fill_free_places`` (the default), places that the share limit alone would leave empty
    go to the next children waiting, marked ``beyond_mix``: a child is never kept out of a club
    with free places because of who they are. The page says the pool itself is not mixed enough.

    Candidates: the ACTIVE members (kept: they stay) and the WAITING enrolments in queue order
    (``queued_at``, then enrolment id). A child counts as referred when a centre for social work
    enrolled them (``source = csw``) or follows them (an open at-risk record). Dimensions: see
    :data:`DEFAULT_DIMENSIONS`; unknown SES band, unspecified gender, empty residence area and
    no school count as not stated.

    Only administrators and the facilitators who lead the group may ask. The result never
    carries an individual's community or referral: each child has only id, names, placed or not
    and a neutral reason; compositions are aggregates with small cells suppressed
    (:func:`_suppress`), flags name a group only when it has 5 or more children. Reading the
    special-category data for the proposal is written to the audit log (caller commits).
    """
    require_leader_of(session, user, group_id)
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("This group does not exist."))
    capacity = group.capacity if capacity is None else capacity
    try:
        settings = ComposerSettings(capacity=capacity, max_share=max_share)
    except ValueError as error:
        field_name = "capacity" if "capacity" in str(error) else "max_share"
        raise ValidationError(
            _("Capacity must be zero or more and the share between 0 and 1."), field=field_name
        ) from error
    today = today or local_today()

    rows = session.execute(
        select(Enrolment, Child, Organisation.name)
        .join(Child, Child.id == Enrolment.child_id)
        .outerjoin(Organisation, Organisation.id == Child.school_id)
        .where(
            Enrolment.group_id == group.id,
            Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
            exclude_erased(),
        )
    ).all()
    rows.sort(
        key=lambda row: (
            row[0].status != EnrolmentStatus.ACTIVE,
            row[0].queued_at,
            row[0].id,
        )
    )
    child_ids = [child.id for _enrolment, child, _school in rows]
    followed = (
        set(
            session.scalars(
                select(RiskRecord.child_id).where(
                    RiskRecord.child_id.in_(child_ids), RiskRecord.closed_on.is_(None)
                )
            )
        )
        if child_ids
        else set()
    )
    candidates = [
        Candidate(
            id=child.id,
            order=position,
            attributes=_attributes(child, school_name, today),
            referred=enrolment.source == EnrolmentSource.CSW or child.id in followed,
            keep=enrolment.status == EnrolmentStatus.ACTIVE,
        )
        for position, (enrolment, child, school_name) in enumerate(rows)
    ]
    proposal = compose(candidates, settings)
    filled = _fill_free_places(proposal, candidates, settings) if fill_free_places else []
    if filled:
        proposal = _with_filled(proposal, candidates, settings, filled)
    audit.record(
        session,
        user,
        AuditAction.READ_SPECIAL,
        "group",
        group.id,
        purpose="roster_proposal",
        fields=["community", "referral"],
        children=len(candidates),
    )

    children = {child.id: child for _enrolment, child, _school in rows}
    entries = [
        RosterChild(
            child_id,
            children[child_id].given_name,
            children[child_id].family_name,
            True,
            None,
            beyond_mix=child_id in filled,
        )
        for child_id in proposal.placed
    ]
    entries += [
        RosterChild(
            skipped.id,
            children[skipped.id].given_name,
            children[skipped.id].family_name,
            False,
            REASON_GROUP_FULL if skipped.reason == CAPACITY_FULL else REASON_KEEPS_MIXED,
        )
        for skipped in proposal.not_placed
    ]
    before, after = _suppress(proposal.before, proposal.after)
    return RosterProposal(
        group_id=group.id,
        capacity=capacity,
        max_share=max_share,
        size=proposal.size,
        cap=proposal.cap,
        placed_ids=list(proposal.placed),
        children=entries,
        empty_places=proposal.empty_places,
        empty_reason=REASON_KEEPS_MIXED if proposal.empty_places else None,
        filled_beyond_mix=len(filled),
        before=before,
        after=after,
        flags=_community_flags(session, group, candidates, proposal),
        exhaustive=proposal.exhaustive,
    )


def _fill_free_places(
    proposal: Proposal, candidates: list[Candidate], settings: ComposerSettings
) -> list[int]:
    """The waiting children, in order, who take the places the share limit left empty."""
    if not proposal.empty_places:
        return []
    waiting = [skipped.id for skipped in proposal.not_placed if skipped.reason != CAPACITY_FULL]
    return waiting[: proposal.empty_places]


def _with_filled(
    proposal: Proposal, candidates: list[Candidate], settings: ComposerSettings, filled: list[int]
) -> Proposal:
    by_id = {candidate.id: candidate for candidate in candidates}
    placed = [*proposal.placed, *filled]
    taken = set(filled)
    return replace(
        proposal,
        placed=placed,
        not_placed=[skipped for skipped in proposal.not_placed if skipped.id not in taken],
        after=composition([by_id[child_id] for child_id in placed], settings.dimensions),
        referred_after=sum(by_id[child_id].referred for child_id in placed),
        empty_places=proposal.empty_places - len(filled),
    )


def _attributes(child: Child, school_name: str | None, today: date) -> dict[str, str | None]:
    community = child.community
    ses = child.socio_economic_band
    gender = child.gender
    area = " ".join((child.residence_area or "").split())
    return {
        "community": None
        if community is None or community == Community.PREFER_NOT_TO_SAY
        else community.value,
        "residence_area": area or None,
        "school": school_name or None,
        "ses_band": None if ses is None or ses == SocioEconomicBand.UNKNOWN else ses.value,
        "gender": None if gender is None or gender == Gender.UNSPECIFIED else gender.value,
        "age_band": age_band(child.birth_date, today),
    }


def _community_flags(
    session: Session, group: Group, candidates: list[Candidate], proposal: Proposal
) -> dict[str, CommunityFlags]:
    """unit_flags on the community counts of the pool ("before") and the roster ("after").

    The comparison pool is every child of the group's municipality with a stated community, plus
    candidates from elsewhere (so every unit is a subset of the pool and the hypergeometric tail
    is exact).
    """
    pool: Counter[str] = Counter()
    for value, count in session.execute(
        select(Child.community, func.count())
        .where(
            Child.municipality_id == group.municipality_id,
            Child.community.is_not(None),
            Child.community != Community.PREFER_NOT_TO_SAY,
        )
        .group_by(Child.community)
    ):
        pool[Community(value).value] += count
    outside_ids = set(
        session.scalars(
            select(Child.id).where(
                Child.id.in_([c.id for c in candidates]),
                Child.municipality_id != group.municipality_id,
            )
        )
    )
    for candidate in candidates:
        value = category(candidate.attributes.get("community"))
        if candidate.id in outside_ids and value is not None:
            pool[value] += 1

    units = {
        name: {k: n for k, n in counts.get("community", {}).items() if k != NOT_STATED}
        for name, counts in (("before", proposal.before), ("after", proposal.after))
    }
    pool_size = sum(pool.values())
    if pool_size == 0:
        return {name: CommunityFlags(False, None, False, False, []) for name in units}
    raw = unit_flags(units, dict(pool), MARGINALISED, pool_size=pool_size)
    return {name: _safe_flags(raw[name], units[name]) for name in units}


def _safe_flags(flags: UnitFlags, counts: Mapping[str, int]) -> CommunityFlags:
    """Keep a flag only when the children it is about number at least SMALL_CELL."""
    risk_groups = [g for g in flags["risk_groups"] if counts.get(g, 0) >= SMALL_CELL]
    ghetto_group = flags["ghetto_group"]
    ghetto = (
        flags["ghetto_risk"]
        and ghetto_group is not None
        and counts.get(ghetto_group, 0) >= SMALL_CELL
    )
    return CommunityFlags(
        ghetto_risk=ghetto,
        ghetto_group=ghetto_group if ghetto else None,
        single_group=flags["single_group"] and flags["size"] >= SMALL_CELL,
        risk_band=bool(risk_groups),
        risk_groups=risk_groups,
    )


def _suppress(
    before: Composition, after: Composition
) -> tuple[SuppressedComposition, SuppressedComposition]:
    """Suppress small cells in the pool and roster compositions, jointly.

    The facilitator knows both totals and, by name, who was not placed, so a category is
    suppressed in both tables when any of its pool count, roster count or not-placed count
    (pool − roster) is between 1 and 4. If that leaves exactly one suppressed category, the
    smallest other one is suppressed too, so none can be recovered by subtraction; a dimension
    with a single category that needs suppressing is withheld whole (empty mapping). Every
    category of the pool is listed in both tables (a suppressed 0 shows as ``<5``).
    Suppressed cells show ``<5`` (below 5) or ``5+`` (5 or more).
    """
    shown_before: SuppressedComposition = {}
    shown_after: SuppressedComposition = {}
    for dimension, pool_counts in before.items():
        roster_counts = after.get(dimension, {})
        categories = sorted(pool_counts)

        def small(value: int) -> bool:
            return 0 < value < SMALL_CELL

        hidden = {
            k
            for k in categories
            if small(pool_counts[k])
            or small(roster_counts.get(k, 0))
            or small(pool_counts[k] - roster_counts.get(k, 0))
        }
        if len(hidden) == 1 and len(categories) > 1:
            hidden.add(
                min(
                    (k for k in categories if k not in hidden),
                    key=lambda k: (roster_counts.get(k, 0), pool_counts[k], k),
                )
            )
        if hidden and len(categories) == 1:
            shown_before[dimension], shown_after[dimension] = {}, {}
            continue

        def show(value: int, suppressed: bool) -> int | str:
            if not suppressed:
                return value
            return SUPPRESSED_SMALL if value < SMALL_CELL else SUPPRESSED_LARGE

        shown_before[dimension] = {k: show(pool_counts[k], k in hidden) for k in categories}
        shown_after[dimension] = {k: show(roster_counts.get(k, 0), k in hidden) for k in categories}
    return shown_before, shown_after
