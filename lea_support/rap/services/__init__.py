"""Business rules for Raising Achievement Plans, one module per stage:

- plans: drafting, objectives, criteria, actions, resources, time, submission and amendments
- agreement: the two sign-offs and what agreeing a version brings (the project team, the mid-point
  review, superseding the version before)
- teams: the project team, its meetings and action updates
- monitoring: mid-point reviews, Improvement Notices and the escalation watch
- dashboards: the plans dashboard, "my actions" and the school leader's view

The dependencies run one way: teams -> agreement -> plans and monitoring. Callers import from
`lea_support.rap.services`; the split is for reading."""
from .agreement import *  # noqa: F401,F403
from .dashboards import *  # noqa: F401,F403
from .monitoring import *  # noqa: F401,F403
from .plans import *  # noqa: F401,F403
from .tasklist import *  # noqa: F401,F403
from .teams import *  # noqa: F401,F403
