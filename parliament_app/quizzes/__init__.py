"""Awareness quizzes: the question bank (``bank``), its command line (``bank_cli``) and, in other
modules, the runs that children join."""
