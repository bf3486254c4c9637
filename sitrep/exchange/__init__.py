"""Data in and out: exports to HXL, ACLED and JSON (export.py, one module per format:
hxl_export.py, acled_export.py, json_export.py), imports from ACLED and IOM DTM (importing.py,
with acled_import.py and dtm_import.py) into the bulk store of imported rows (source/bulk.py).

acled.py holds ACLED's vocabulary (columns, event types, precision codes) and how sitrep's
incident types, dates and places map to and from it, so that the export and the import agree.
"""
