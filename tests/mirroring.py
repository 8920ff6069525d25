"""For tests of what a process holds from Redis (petcommunity.mirror): Redis tracks keys across all its
databases, so another test worker's flush (every test starts with one) also drops what a mirror holds.
"Read nothing" is therefore asserted over a stretch in which no push arrived, which the first or second
try almost always is."""

import pytest


def quietly(mirror, cache_reads: list[list[str]], step):
    """`step()`'s result and the cache reads it made, from a try during which no push reached `mirror`
    (at most ten tries). Reads a key of no value under its first prefix before and after, to apply what
    arrived: the last read is that key."""
    drain = [mirror.prefixes[0] + "drain"]
    for _ in range(10):
        mirror.get_many(drain)
        seq, before = mirror._seq, len(cache_reads)
        result = step()
        mirror.get_many(drain)
        if mirror._seq == seq:
            return result, cache_reads[before:]
    pytest.fail("a push arrived during every try")
