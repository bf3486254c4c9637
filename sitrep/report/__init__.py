"""The report stage: one week of the store turned into a ReportContext (plain data)."""
