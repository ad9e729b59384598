"""Drives an MCP server over streamable HTTP with the official MCP Python SDK (`mcp` on PyPI), as an independent
client.

Usage: http_client.py URL SESSIONS

Opens SESSIONS sessions one after another with the `initialize` handshake (each gets its own `Mcp-Session-Id`),
and in each calls `feedback` with the same arguments, as agents of different users hitting the same gap would;
then one client with the stateless 2026-07-28 lifecycle (`server/discover`, no session), which calls `count_text`,
`feedback` and `feedback` with bad arguments. Prints one JSON object on stdout for the Rust test
(tests/tests/rmcp_python_http.rs) to check. It asserts nothing itself.
"""

import asyncio
import json
import sys

from mcp import Client
from mcp.types import Implementation

CLIENT_NAME = "patchwork-e2e-python-http"
CLIENT_VERSION = "0.9.2"

SAME_FEEDBACK = {
    "what_i_needed": "a tool that converts time zones",
    "what_i_tried": "days_between, which only counts whole days",
    "gap_type": "missing_tool",
    "suggestion": "add convert_time_zone(time, from_zone, to_zone)",
    "resolution": "blocked",
}


def text_of(result):
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


def client(url, mode):
    return Client(
        url,
        mode=mode,
        client_info=Implementation(name=CLIENT_NAME, version=CLIENT_VERSION),
        cache=None,
        read_timeout_seconds=60,
    )


async def session(url):
    async with client(url, "legacy") as c:
        reply = await c.call_tool("feedback", SAME_FEEDBACK)
        return {
            "protocol_version": str(c.protocol_version),
            "is_error": bool(reply.is_error),
            "text": text_of(reply),
        }


async def stateless(url):
    async with client(url, "auto") as c:
        listed = await c.list_tools()
        count = await c.call_tool("count_text", {"text": "one two three\nfour"})
        good = await c.call_tool("feedback", dict(SAME_FEEDBACK, what_i_needed="a tool that converts currencies"))
        bad = await c.call_tool("feedback", {"what_i_tried": "nothing yet", "resolution": "gave_up"})
        return {
            "protocol_version": str(c.protocol_version),
            "instructions": c.instructions,
            "tools": sorted(tool.name for tool in listed.tools),
            "count_text": {"is_error": bool(count.is_error), "text": text_of(count)},
            "good": {"is_error": bool(good.is_error), "text": text_of(good)},
            "bad": {"is_error": bool(bad.is_error), "text": text_of(bad)},
        }


async def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, sessions = argv[1], int(argv[2])
    report = {"client": f"{CLIENT_NAME}/{CLIENT_VERSION}", "sessions": [], "stateless": None}
    for _ in range(sessions):
        report["sessions"].append(await session(url))
    report["stateless"] = await stateless(url)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
