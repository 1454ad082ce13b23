"""The Raising Achievement Plans blueprint."""
from flask import Blueprint

bp = Blueprint("rap", __name__, template_folder="../templates")

from . import plan  # noqa: E402,F401
