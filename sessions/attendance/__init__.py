"""Attendance: the roster a facilitator fills in (``roster``) and the printable sheet
(``sheet``)."""
