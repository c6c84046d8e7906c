"""Groups (a parliament, a club, a workshop series), their leaders, enrolment and the waiting
list, the roster composer and the diversity report."""
