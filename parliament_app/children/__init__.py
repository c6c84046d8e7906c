"""Children: their records, guardians and consents, at-risk records, the pupil register import,
the printable consent form and data-protection rights (subject access, erasure, retention)."""
