"""Badges: print a group's badge sheet (A4, 3 × 4 badges to cut out), download one child's badge,
and re-issue a lost badge (the old one stops working at once).

A badge's QR code holds an opaque, signed identifier and nothing personal; the first name is
printed beside it for the facilitator. Only the group's leaders and administrators print badges.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from parliament_app.core.i18n import _, format_date, ngettext
from parliament_app.groups.enrolment import roster
from parliament_app.groups.services import list_groups
from parliament_app.models import EnrolmentStatus
from parliament_app.policy.groups import may_manage_group
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.widgets import empty_state, family_first
from sessions.checkin.badges import badge_for_child, badge_png, badge_sheet_pdf, live_badge
from sessions.times import local

FLASH_KEY = "badges_page_message"
CONFIRM_KEY = "badges_page_confirm_reissue"  # the child whose re-issue waits for a yes


def render() -> None:
    groups = _managed_groups()
    st.title(_("Badges"))
    st.caption(
        _(
            "Each child's badge carries a QR code for checking in at the scanning station. The "
            "code holds no name, birth date or school; the first name is printed beside it."
        )
    )
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash, icon="✅")
    if not groups:
        empty_state(
            _(
                "You lead no active group. Badges are printed by a group's leaders and "
                "administrators."
            )
        )
        st.stop()
    group_id = st.selectbox(
        _("Group"), list(groups), format_func=groups.__getitem__, key="badges_group"
    )
    children = _enrolled_children(group_id)
    st.subheader(_("Badge sheet"))
    if not children:
        empty_state(_("No child is actively enrolled in this group yet."))
        st.stop()
    _badge_sheet(group_id, children)
    _one_childs_badge(group_id, children)


def child_badge_png(child_id: int) -> Callable[[], bytes]:
    """The child's badge, built (and issued, when the child has none) only when downloaded."""
    return deferred(lambda session, actor: badge_png(badge_for_child(session, actor, child_id)[1]))


def ask_reissue(child_id: int) -> None:
    st.session_state[CONFIRM_KEY] = child_id


def cancel_reissue() -> None:
    st.session_state.pop(CONFIRM_KEY, None)


def _managed_groups() -> dict[int, str]:
    """The active groups whose badges this user prints (group id -> name)."""
    with transaction() as session:
        user = page_user(session)
        return {
            group.id: group.name
            for group in list_groups(session, user)
            if group.active and may_manage_group(session, user, group)
        }


def _enrolled_children(group_id: int) -> dict[int, dict]:
    """The group's actively enrolled children with the day their badge was issued (None: no
    badge yet); empty when the roster may not be read (the refusal shows)."""
    children: dict[int, dict] = {}
    with shown_errors(), transaction() as session:
        actor = page_user(session)
        for entry in roster(session, actor, group_id):
            if entry.status != EnrolmentStatus.ACTIVE:
                continue
            badge = live_badge(session, entry.child_id)
            children[entry.child_id] = {
                "name": family_first(entry.family_name, entry.given_name),
                "first_name": entry.given_name,
                "issued": local(badge.issued_at).date() if badge else None,
            }
    return children


def _badge_sheet(group_id: int, children: dict[int, dict]) -> None:
    without = sum(child["issued"] is None for child in children.values())
    st.caption(
        ngettext(
            "An A4 sheet with the badge of the {count} child enrolled: print it, cut along the "
            "dashed lines. A child without a badge gets one now; an existing badge is printed "
            "again, not replaced.",
            "An A4 sheet with a badge for each of the {count} children enrolled: print it, cut "
            "along the dashed lines. Children without a badge get one now; existing badges are "
            "printed again, not replaced.",
            len(children),
        ).format(count=len(children))
    )
    if without:
        st.info(
            ngettext(
                "{count} child has no badge yet.", "{count} children have no badge yet.", without
            ).format(count=without),
            icon="🏷️",
        )
    st.download_button(
        _("Download the badge sheet (PDF)"),
        deferred(lambda session, actor: badge_sheet_pdf(session, actor, group_id)),
        file_name=f"badges-group-{group_id}.pdf",
        mime="application/pdf",
        icon="🖨️",
        type="primary",
        on_click="ignore",
        key=f"badges_sheet_{group_id}",
    )


def _one_childs_badge(group_id: int, children: dict[int, dict]) -> None:
    st.subheader(_("One child's badge"))
    child_id = st.selectbox(
        _("Child"),
        list(children),
        format_func=lambda key: children[key]["name"],
        key=f"badges_child_{group_id}",
    )
    child = children[child_id]
    if child["issued"]:
        st.markdown(
            "🏷️ " + _("Badge issued on {date}.").format(date=format_date(child["issued"], "long"))
        )
    else:
        st.markdown("➖ " + _("No badge yet: one is issued when you download it."))
    _badge_buttons(child_id, issued=child["issued"])
    if st.session_state.get(CONFIRM_KEY) == child_id:
        _confirm_reissue(child_id, child["first_name"])


def _badge_buttons(child_id: int, issued: date | None) -> None:
    left, right = st.columns(2)
    left.download_button(
        _("Download the badge (PNG)"),
        child_badge_png(child_id),
        file_name=f"badge-{child_id}.png",
        mime="image/png",
        icon="⬇️",
        on_click="ignore",
        key=f"badges_png_{child_id}",
        width="stretch",
    )
    right.button(
        _("Re-issue a lost badge"),
        icon="🔄",
        key=f"badges_reissue_{child_id}",
        on_click=ask_reissue,
        args=(child_id,),
        disabled=issued is None,
        width="stretch",
    )


def _confirm_reissue(child_id: int, first_name: str) -> None:
    """Yes or no to a new badge; the old one stops working once the new one is issued."""
    st.warning(
        _(
            "Re-issue {name}'s badge? The old badge stops working at once: scanning it will say "
            "it was replaced. Print the new one and give it to the child."
        ).format(name=first_name),
        icon="⚠️",
    )
    yes, no = st.columns(2)
    if yes.button(
        _("Yes, re-issue the badge"),
        type="primary",
        key=f"badges_reissue_yes_{child_id}",
        width="stretch",
    ):
        st.session_state.pop(CONFIRM_KEY, None)
        issued = False
        with shown_errors(), transaction() as session:
            badge_for_child(session, page_user(session), child_id, reissue=True)
            issued = True
        if issued:
            st.session_state[FLASH_KEY] = _(
                "A new badge was issued for {name}; the old one no longer works. Download the "
                "new badge and print it."
            ).format(name=first_name)
            st.rerun()
    no.button(
        _("Cancel"),
        key=f"badges_reissue_no_{child_id}",
        on_click=cancel_reissue,
        width="stretch",
    )


if __name__ == "__main__":
    render()
