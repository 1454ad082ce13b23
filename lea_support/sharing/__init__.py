"""Sharing4Success: the directory of good practice (nominated by advisers from notes of visit and
review findings, agreed by the school before other schools see it), school-to-school
partnerships, and the four aspects of LA support reported across the authority."""
