"""Pupil registers as schools really send them, generated at test time (see ``corpus``)."""
