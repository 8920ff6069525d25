"""One private stack (PostgreSQL cluster, Redis, app environment) for all the fault tests of a test process.

The fault tests share the `faults` xdist group, so one test process runs them all, one after another;
they never touch the machine's shared PostgreSQL and Redis.
"""

import pytest

from .stack import Stack


@pytest.fixture(scope="session")
def stack():
    private = Stack()
    try:
        yield private
    finally:
        private.close()
