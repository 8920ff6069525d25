"""The statuses every operation declares, so the schema promises exactly what the API answers."""

from .errors import Problem

COMMON = (400, 401, 403, 404, 429)


def answers(ok, *, status: int = 200, extra: tuple[int, ...] = ()) -> dict:
    return {status: ok, **{code: Problem for code in (*COMMON, *extra)}}
