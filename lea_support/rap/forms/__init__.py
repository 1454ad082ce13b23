"""Forms for Raising Achievement Plans, one module per stage (see services). Callers import from
`lea_support.rap.forms` (hence the star imports); the split is for reading."""
from .monitoring import *  # noqa: F401,F403
from .plans import *  # noqa: F401,F403
from .teams import *  # noqa: F401,F403
