"""The Raising Achievement Plans blueprint."""
from flask import Blueprint

bp = Blueprint("rap", __name__, template_folder="../templates")

from . import plan  # noqa: E402,F401
from . import dashboard  # noqa: E402,F401
from . import monitoring  # noqa: E402,F401
from . import team  # noqa: E402,F401
