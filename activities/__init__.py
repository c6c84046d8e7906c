"""Sport and music clubs and their excursions (built on ``parliament_app``)."""
