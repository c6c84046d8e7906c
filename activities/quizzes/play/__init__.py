"""Playing awareness quizzes: live runs a facilitator leads, and self-paced turns on a kiosk.

Children never have accounts. Joining a run with its code and a nickname gives the device a
random secret token; only its SHA-256 is stored, so a leaked database cannot be used to answer
for a child. A facilitator may link a nickname to the child's attendance record afterwards; the
child never does.

Safeguarding:

- Group results are anonymous: counts per option and the share of correct answers. A player's own
  result is only ever returned for that player's own token.
- "I would like to talk to someone" (``talk_request``) is seen by the run's facilitators only.

Live runs move through ``lobby → question → reveal → question → … → finished``; an answer counts
only while its question is open, and once per player (the ``(player_id, question_id)`` unique
constraint decides, so a double tap or two devices cannot count twice). Kiosk runs are
self-paced: every child's turn is its own anonymous player ("Tablet 1", "Tablet 2", …) that moves
through the run's questions in order; nothing is carried over from one turn to the next.

Scores are an encouragement, never a ranking: one point per correct answer. Only runs for ages
15–18 may switch on a speed bonus (5–10 points for a correct answer, fewer the longer it took).
The schema keeps only the current question's opening time, so in live runs the time is measured
from the room's first answer to that question (recomputable at any time); in kiosk turns from the
player's previous answer, or from the start of the turn.

Every message goes through ``_()`` in the caller's current language; question texts come in the
player's own language, so one room can play in several languages at once.

Modules: ``views`` (what callers get back), ``runs`` (codes, players, starting a run), ``player``
(joining, answering, kiosk turns, talk requests), ``host`` (the facilitator's screen) and
``results``.
"""

from __future__ import annotations

from activities.quizzes.play.host import (
    enrolled_children,
    finish,
    host_players,
    host_runs,
    host_view,
    link_player_to_child,
    open_next_question,
    reveal,
)
from activities.quizzes.play.player import (
    answer,
    check_code,
    guest_talk_request,
    join,
    kiosk_state,
    mark_talk_request_seen,
    open_talk_requests,
    set_player_language,
    start_kiosk_turn,
    state_for_player,
    talk_request,
)
from activities.quizzes.play.results import player_summary, run_results
from activities.quizzes.play.runs import (
    available_topics,
    normalise_code,
    player_for_token,
    start_run,
    startable_groups,
    topic_label,
)
from activities.quizzes.play.views import (
    AGE_BANDS,
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_PLAYERS,
    MAX_QUESTIONS,
    NICKNAME_MAX_LENGTH,
    SPEED_BONUS_BANDS,
    SPEED_POINTS_MAX,
    SPEED_POINTS_MIN,
    PlayerSummary,
    QuestionView,
)

__all__ = [
    "AGE_BANDS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_PLAYERS",
    "MAX_QUESTIONS",
    "NICKNAME_MAX_LENGTH",
    "SPEED_BONUS_BANDS",
    "SPEED_POINTS_MAX",
    "SPEED_POINTS_MIN",
    "PlayerSummary",
    "QuestionView",
    "answer",
    "available_topics",
    "check_code",
    "enrolled_children",
    "finish",
    "guest_talk_request",
    "host_players",
    "host_runs",
    "host_view",
    "join",
    "kiosk_state",
    "link_player_to_child",
    "mark_talk_request_seen",
    "normalise_code",
    "open_next_question",
    "open_talk_requests",
    "player_for_token",
    "player_summary",
    "reveal",
    "run_results",
    "set_player_language",
    "start_kiosk_turn",
    "start_run",
    "startable_groups",
    "state_for_player",
    "talk_request",
    "topic_label",
]
