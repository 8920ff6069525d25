"""Why a missed target was missed, and what would close it: written from the measurements, keyed by
figure id prefix, and printed under the table whenever that target is missed."""

NOTES: dict[str, str] = {}

GENERIC = ("missed in this run; see the figure's spread (a shared 2-core machine) and the raw JSON before "
           "concluding anything.")


def note_for(figure_id: str) -> str:
    best = max((k for k in NOTES if figure_id.startswith(k)), key=len, default=None)
    return NOTES[best] if best else GENERIC
