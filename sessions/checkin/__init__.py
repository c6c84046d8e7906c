"""Check-in: badge scans and self check-in (``scanning``), badges (``badges``) and rate limits."""
