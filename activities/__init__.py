"""What children do around meetings: sport, music and other clubs with their excursions, and the
awareness quizzes (built on ``sessions``)."""
