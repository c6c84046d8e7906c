"""Parliament sessions: scheduling, enrolment and attendance (built on ``parliament_app``)."""
