"""The school register (GIAS import), support tiers with their history, allocations."""
