"""The feed module's figures from wrk rounds: a round in which no request finished has no latency (wrk
reports 0 ms for it, which must not read as the fastest page)."""

from bench.m_feeds import _p, _rps
from bench.stats import ratios, summary


def test_a_round_with_no_answer_has_no_latency_and_no_ratio():
    runs = {"naive_deep": [{"requests": 0, "rps": 0.0, "p50_ms": 0.0, "non_2xx_3xx": 0, "socket_errors": 0},
                           {"requests": 4, "rps": 2.0, "p50_ms": 1900.0, "non_2xx_3xx": 0, "socket_errors": 0}],
            "naive_p1": [{"requests": 8, "rps": 4.0, "p50_ms": 1000.0, "non_2xx_3xx": 0, "socket_errors": 0},
                         {"requests": 8, "rps": 4.0, "p50_ms": 950.0, "non_2xx_3xx": 0, "socket_errors": 0}]}
    assert _p(runs, "naive_deep", "p50_ms") == [None, 1900.0]
    assert _rps(runs, "naive_deep") == [0.0, 2.0]
    assert ratios(_p(runs, "naive_deep", "p50_ms"), _p(runs, "naive_p1", "p50_ms")) == [2.0]
    assert summary(_p(runs, "naive_deep", "p50_ms"))["median"] == 1900.0
