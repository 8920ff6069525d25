"""HTTP load with wrk (a separate process): fixed concurrency, bounded duration, latency percentiles.

Each run gets a generated Lua script holding its requests (method, path, headers, body). Requests
rotate per connection, so logged-in loads spread over many sessions; bodies may contain `__N__`,
replaced per request by a unique number (posts must not look like duplicates to moderation).
"""

import json
import subprocess
import tempfile
import urllib.request

LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""

LUA_BODY = r"""
local specs = {%(specs)s}
local built = {}
local n = 0
local counter = 1
setup = function(thread) thread:set("tid", counter); counter = counter + 1 end
init = function(args)
  for i, s in ipairs(specs) do
    if not s.dynamic then built[i] = wrk.format(s.method, s.path, s.headers, s.body) end
  end
end
request = function()
  n = n + 1
  local i = (n %% #specs) + 1
  local s = specs[i]
  if s.dynamic then
    local body = string.gsub(s.body, "__N__", tostring(tid or 0) .. "x" .. tostring(n))
    return wrk.format(s.method, s.path, s.headers, body)
  end
  return built[i]
end
"""


def _lua_str(value: str) -> str:
    level = 1
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


def _spec_lua(spec: dict) -> str:
    headers = ", ".join(f"[ {_lua_str(k)} ] = {_lua_str(v)}" for k, v in spec.get("headers", {}).items())
    body = spec.get("body")
    return (f"{{method = {_lua_str(spec.get('method', 'GET'))}, path = {_lua_str(spec['path'])}, "
            f"headers = {{{headers}}}, body = {_lua_str(body) if body is not None else 'nil'}, "
            f"dynamic = {'true' if body and '__N__' in body else 'false'}}}")


def script_for(specs: list[dict]) -> str:
    return LUA_BODY % {"specs": ",\n  ".join(_spec_lua(s) for s in specs)} + LUA_DONE


def run(base_url: str, specs: list[dict], *, duration: float, connections: int, threads: int = 2,
        timeout: int = 5) -> dict:
    """One wrk run. Returns req/s, latency percentiles in ms, error counts."""
    threads = max(1, min(threads, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-", delete=True) as lua:
        lua.write(script_for(specs))
        lua.flush()
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(duration, 1):.0f}s",
               "--timeout", f"{timeout}s", "-s", lua.name, base_url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout + 30)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout[-500:]}")
    raw = json.loads(line[len("BENCHJSON "):])
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0, "requests": raw["requests"],
        "p50_ms": raw["p50"] / 1000, "p90_ms": raw["p90"] / 1000, "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000, "max_ms": raw["max"] / 1000, "non_2xx_3xx": raw["status"],
        "socket_errors": errors, "seconds": round(seconds, 2), "connections": connections,
    }


def visit_each(base_url: str, specs: list[dict]) -> None:
    """One GET per spec, in turn: every member's session, nav and policy caches are warm before a timed
    run, as a returning member's are. A short wrk warm-up reaches only the first specs of a long rotation,
    so a timed run's tail would otherwise be first visits."""
    for spec in specs:
        if spec.get("method", "GET") != "GET":
            continue
        url = base_url.rstrip("/") + spec["path"]  # the local bench server, over http
        request = urllib.request.Request(url, headers=spec.get("headers", {}))  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
