"""What happens when a group meets: scheduling, the calendar, attendance, check-in and guardians'
involvement (built on ``parliament_app``'s groups and children)."""
