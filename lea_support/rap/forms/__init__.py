"""Forms for Raising Achievement Plans, one module per stage (see services)."""
from .monitoring import *  # noqa: F401,F403,E402
from .plans import *  # noqa: F401,F403
from .teams import *  # noqa: F401,F403,E402
