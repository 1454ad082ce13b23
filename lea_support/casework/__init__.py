"""Link adviser visits: notes of visit and the factual-accuracy loop, attachments, caseloads and the
authority overview, calendar feeds."""
