"""The render stage: templates (in Jinja's sandbox) into HTML, its references judged, and the PDF."""
