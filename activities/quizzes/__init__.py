"""Awareness quizzes: the question bank and its content files (``bank``), live and kiosk runs that
children join without accounts (``play``), and knowledge gain between pre and post (``gain``)."""
