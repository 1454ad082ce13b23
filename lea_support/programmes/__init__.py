"""LA-wide programmes: schools enrolled and their participants, criteria with baselines and progress,
training sessions and attendance, the reviewer pool and review visits, termly monitoring returns."""
