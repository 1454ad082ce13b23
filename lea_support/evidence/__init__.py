"""School evidence from national data: Ofsted, performance tables, census and absence."""
