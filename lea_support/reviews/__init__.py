"""Joint LEA/School Reviews on the 7-point scale: planning, the team and stages, the pre-review and
key questions, fieldwork evidence, the evaluation, and the published report with its corrections."""
