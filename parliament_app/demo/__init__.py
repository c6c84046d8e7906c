"""The synthetic demo municipality that the first-run page and ``parliament demo-data`` load."""
