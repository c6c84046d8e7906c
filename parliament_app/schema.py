"""Every table of the application, core and features alike: what Alembic migrates and what the
tests compare against the migrations. The core models do not import the feature packages; this
module brings them all together."""

import activities.models  # noqa: F401  (registers its tables)
import parliament_app.models.monitoring
import parliament_app.models.quizzes  # noqa: F401
import sessions.attendance_models
import sessions.models  # noqa: F401
from parliament_app.models import Base

metadata = Base.metadata
