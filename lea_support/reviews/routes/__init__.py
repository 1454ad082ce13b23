"""The reviews blueprint, its routes split by stage of the work: planning and the review's page
(review.py), fieldwork evidence (evidence.py), the evaluation, report and publishing (report.py)."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, template_folder="../templates")

# Each module registers its routes on `bp`, so they are imported once it exists.
from . import evidence, report, review  # noqa: E402,F401
