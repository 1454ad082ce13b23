"""Business rules for Raising Achievement Plans, one module per stage:

- plans: drafting, objectives, criteria, actions, resources, time, agreement and amendments
- teams: the project team, its meetings and action updates
- monitoring: mid-point reviews, Improvement Notices and the escalation watch
- dashboards: the plans dashboard, "my actions" and the school leader's view

Callers import from `lea_support.rap.services`; the split is for reading, not a boundary."""
from .dashboards import *  # noqa: F401,F403,E402
from .monitoring import *  # noqa: F401,F403,E402
from .plans import *  # noqa: F401,F403
from .plans import EditConflict, parse_days, parse_money  # noqa: F401
from .teams import *  # noqa: F401,F403,E402
from .teams import ActionConflict  # noqa: F401,E402
