"""The school register (GIAS import), support tiers with their history, link advisers,
allocations and their Annual Support Allocation letters, the school's timeline."""
