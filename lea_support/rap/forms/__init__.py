"""Forms for Raising Achievement Plans, one module per stage (see services)."""
from .plans import *  # noqa: F401,F403
