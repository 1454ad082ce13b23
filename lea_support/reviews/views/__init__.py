"""The reviews blueprint, its views split by stage of the work."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, template_folder="../templates")

from . import evidence, report, review  # noqa: E402,F401
