"""Forms for Raising Achievement Plans, one module per stage (see services)."""
from .plans import *  # noqa: F401,F403
from .monitoring import *  # noqa: F401,F403,E402
from .teams import *  # noqa: F401,F403,E402
