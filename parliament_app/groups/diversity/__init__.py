"""How mixed groups are: pure measures (``measures``) and the anti-ghettoization report
(``report``)."""
