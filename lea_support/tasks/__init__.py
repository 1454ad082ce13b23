"""What needs each person now: the home page of tasks, and the list behind each of its counts."""
