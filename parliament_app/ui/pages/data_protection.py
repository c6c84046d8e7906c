"""Data protection: a guardian's request for everything held about a child (JSON and a readable
page), erasing a child, and the retention review of children inactive for a long time. For
administrators; every export and erasure is recorded in the audit log (never with a name)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.children.privacy import (
    MIN_INACTIVE_DAYS,
    REASON_MAX_LENGTH,
    erase_child,
    erase_many,
    retention_candidates,
    subject_access_export,
    subject_access_html,
)
from parliament_app.children.privacy.erasure import RetentionCandidate
from parliament_app.children.services import ChildSummary, list_children
from parliament_app.core.i18n import (
    _,
    current_language,
    format_date,
    format_number,
    ngettext,
    using_language,
)
from parliament_app.models import User
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state, family_first

OUTCOME = PageOutcome("data_protection")
CHOOSER_LIMIT = 50
DEFAULT_INACTIVE_DAYS = 730


def subject_access_file(kind: str, child_id: int, language: str) -> Callable[[], bytes]:
    """The export, built only when the person clicks (so only real downloads are audited), in
    the language of the page that offered it."""

    def build(session: Session, actor: User) -> bytes:
        with using_language(language):
            if kind == "json":
                data = subject_access_export(session, actor, child_id)
                return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
            return subject_access_html(session, actor, child_id).encode("utf-8")

    return deferred(build)


def child_title(child: ChildSummary) -> str:
    title = family_first(child.family_name, child.given_name)
    facts = [_("born {date}").format(date=format_date(child.birth_date))]
    if child.school_name:
        facts.append(child.school_name)
    return f"{title} · " + " · ".join(facts)


def render() -> None:
    with transaction() as session:
        page_user(session)
    form_round = OUTCOME.form_round
    st.title(_("Data protection"))
    st.caption(
        _(
            "Guardians' requests and the retention of children's records. Every export and every "
            "erasure is recorded in the audit log, without the child's name."
        )
    )
    OUTCOME.show()
    access_tab, retention_tab = st.tabs([_("One child"), _("Retention review")])
    with access_tab:
        child = _chosen_child(form_round)
        if child is not None:
            _subject_access(child.id, current_language())
            _erasure(child, form_round)
    with retention_tab:
        _retention_review(form_round)


# --- one child: subject access and erasure -------------------------------------------------


def _chosen_child(form_round: int) -> ChildSummary | None:
    search = st.text_input(
        _("Search by name"), key="data_protection_search", help=_("Given or family name.")
    )
    with transaction() as session:
        found, total = list_children(session, page_user(session), search, limit=CHOOSER_LIMIT)
    # Erased children keep their anonymous rows but have no name left: nothing to choose.
    children = {child.id: child for child in found if child.given_name or child.family_name}
    if not children:
        empty_state(_("No children match.") if search.strip() else _("No children yet."))
        return None
    if total > CHOOSER_LIMIT:
        st.caption(
            _("The first {shown} of {total} children: search to narrow the list.").format(
                shown=format_number(CHOOSER_LIMIT), total=format_number(total)
            )
        )
    child_id = st.selectbox(
        _("Child"),
        list(children),
        index=None,
        format_func=lambda key: child_title(children[key]),
        placeholder=_("Choose a child"),
        key=f"data_protection_child_{form_round}",
    )
    return None if child_id is None else children[child_id]


def _subject_access(child_id: int, language: str) -> None:
    st.subheader(_("Everything held about this child"))
    st.caption(
        _(
            "For a guardian's request: the child's record, guardians, consents, "
            "enrolments, attendance, quiz participation (how many answers, not which), "
            "at-risk records, alerts and the audit log entries about the child."
        )
    )
    stem = f"child-{child_id}-subject-access"
    left, right = st.columns(2)
    left.download_button(
        _("Download the data (JSON)"),
        subject_access_file("json", child_id, language),
        file_name=f"{stem}.json",
        mime="application/json",
        icon="🗂️",
        key=f"data_protection_json_{child_id}",
    )
    right.download_button(
        _("Download the readable page (HTML)"),
        subject_access_file("html", child_id, language),
        file_name=f"{stem}.html",
        mime="text/html",
        icon="📄",
        key=f"data_protection_html_{child_id}",
    )


def _erasure(child: ChildSummary, form_round: int) -> None:
    st.subheader(_("Erase this child"))
    st.warning(
        _(
            "Erasure cannot be undone. Removed: the child's name, school class, exact "
            "birth date (only the year stays) and care situation; the links to "
            "guardians (and guardians with no other child); consents, excursion "
            "consents, badges, interests, at-risk records, alerts with their notes, "
            "family check-ins and attendance notes; quiz nicknames are replaced. The "
            "child leaves every group and the places go to the waiting list."
        ),
        icon="⚠️",
    )
    st.info(
        _(
            "Kept, without a name, so that past counts do not change: gender, "
            "community, household income band, school, municipality, area, home "
            "languages, year of birth, past enrolments, attendance and quiz answers."
        ),
        icon="ℹ️",
    )
    with st.form(f"erase_child_{child.id}_{form_round}"):
        reason = st.text_area(
            _("Reason for the erasure"),
            max_chars=REASON_MAX_LENGTH,
            help=_("For example: a guardian's request of a given date. Names are removed."),
        )
        confirmation = st.text_input(
            _("To confirm, type the child's first name: {name}").format(name=child.given_name)
        )
        erase = st.form_submit_button(_("Erase this child"), type="primary", icon="🗑️")
    if not erase:
        return
    if confirmation.strip().casefold() != child.given_name.strip().casefold():
        st.error(
            _("The name typed is not the child's first name: nothing was erased."),
            icon="⚠️",
        )
        return
    with shown_errors():
        with transaction() as session:
            erase_child(session, page_user(session), child.id, reason)
        OUTCOME.done(_("The child's record was erased."))


# --- retention review ----------------------------------------------------------------------


def _retention_review(form_round: int) -> None:
    st.caption(
        _(
            "Children with no enrolment, attendance or quiz activity for the period chosen, "
            "enrolled or waiting nowhere and followed by no centre for social work. Review "
            "them and erase the records no longer needed."
        )
    )
    inactive_days = int(
        st.number_input(
            _("Inactive for at least (days)"),
            min_value=MIN_INACTIVE_DAYS,
            max_value=36500,
            value=DEFAULT_INACTIVE_DAYS,
            step=30,
            key="data_protection_inactive_days",
        )
    )
    candidates = _candidates(inactive_days)
    if candidates == []:
        empty_state(_("No child has been inactive for that long."))
    elif candidates:
        names = _candidates_table(candidates)
        _bulk_erasure(names, inactive_days, form_round)


def _candidates(inactive_days: int) -> list[RetentionCandidate] | None:
    """The children inactive that long; None when refused (the refusal is shown)."""
    with shown_errors(), transaction() as session:
        return retention_candidates(session, page_user(session), inactive_days)
    return None


def _candidates_table(candidates: list[RetentionCandidate]) -> dict[int, str]:
    """Show the candidates; return their names by child id."""
    st.markdown(
        ngettext(
            "**{count}** child has been inactive for that long.",
            "**{count}** children have been inactive for that long.",
            len(candidates),
        ).format(count=format_number(len(candidates)))
    )
    names = {row.child_id: family_first(row.family_name, row.given_name) for row in candidates}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("Child"): names[row.child_id],
                    _("Registered on"): format_date(row.registered_on),
                    _("Last activity"): format_date(row.last_activity),
                }
                for row in candidates
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    return names


def _bulk_erasure(names: dict[int, str], inactive_days: int, form_round: int) -> None:
    with st.form(f"retention_{form_round}"):
        chosen = st.multiselect(_("Children to erase"), list(names), format_func=names.__getitem__)
        everyone = st.checkbox(
            _("All {count} children listed").format(count=format_number(len(names)))
        )
        reason = st.text_area(
            _("Reason for the erasure"),
            value=_("Retention review: no activity for {days} days.").format(
                days=format_number(inactive_days)
            ),
            max_chars=REASON_MAX_LENGTH,
        )
        typed = st.text_input(
            _("To confirm, type how many children will be erased"),
            help=_("Erasure cannot be undone."),
        )
        erase_chosen = st.form_submit_button(
            _("Erase the chosen children"), type="primary", icon="🗑️"
        )
    if not erase_chosen:
        return
    ids = list(names) if everyone else list(chosen)
    if not ids:
        st.error(_("Please choose the children to erase."), icon="⚠️")
    elif typed.strip() != str(len(ids)):
        st.error(
            _(
                "Type {count} to confirm the erasure of {count} children: nothing was erased."
            ).format(count=len(ids)),
            icon="⚠️",
        )
    else:
        _erase_in_bulk(ids, reason)


def _erase_in_bulk(ids: list[int], reason: str) -> None:
    progress = st.progress(0.0, text=_("Erasing…"))
    erased = 0
    with shown_errors():
        # One transaction per child: the bar shows real progress, and an error keeps the
        # erasures already made.
        for index, child_id in enumerate(ids, start=1):
            with transaction() as session:
                erased += erase_many(session, page_user(session), [child_id], reason)
            progress.progress(
                index / len(ids),
                text=_("{done} of {total}").format(
                    done=format_number(index), total=format_number(len(ids))
                ),
            )
        OUTCOME.done(
            ngettext(
                "{count} child's record was erased.",
                "{count} children's records were erased.",
                erased,
            ).format(count=format_number(erased))
        )
    if erased:
        st.warning(
            ngettext(
                "{count} child's record was erased before the error.",
                "{count} children's records were erased before the error.",
                erased,
            ).format(count=format_number(erased)),
            icon="⚠️",
        )


if __name__ == "__main__":
    render()
