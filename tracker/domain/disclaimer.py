"""The disclaimer every export carries (DOMAIN.md "Wording": first run, Help and every export).

One text, so the summary, CSV (a comment line), JSON (a field), FHIR (the Bundle's and each
resource's note) and the calendar (its description) all say the same.
"""

from __future__ import annotations

from typing import Final

EXPORT_DISCLAIMER: Final = (
    "Information and tracking only, not medical advice. Always involve your health professional. "
    "All entries were recorded by the patient."
)
