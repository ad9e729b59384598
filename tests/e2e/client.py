"""Drives an MCP stdio server with the official MCP Python SDK (`mcp` on PyPI), as an independent client.

Usage: client.py SERVER_COMMAND [MODE ...]   (modes: `legacy` = the initialize handshake; `auto` = `server/discover`
first, which gives the stateless 2026-07-28 lifecycle on servers that support it; default: both)

The server is started with this process's environment (so PATCHWORKMCP_* reach it); its stderr passes through.
For each mode the script lists the tools, reads the instructions, calls the server's own `count_text` tool, calls
`feedback` with good arguments and with bad ones, and prints one JSON object on stdout for the Rust test
(tests/tests/rmcp_python_client.rs) to check. It asserts nothing itself.
"""

import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters
from mcp.types import Implementation

CLIENT_NAME = "patchwork-e2e-python"
CLIENT_VERSION = "0.9.1"


def text_of(result):
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


async def run_mode(command, mode):
    params = StdioServerParameters(command=command, env=dict(os.environ))
    async with Client(
        params,
        mode=mode,
        client_info=Implementation(name=CLIENT_NAME, version=CLIENT_VERSION),
        cache=None,
        read_timeout_seconds=60,
    ) as client:
        listed = await client.list_tools()
        count = await client.call_tool("count_text", {"text": "one two three\nfour"})
        good = await client.call_tool(
            "feedback",
            {
                "what_i_needed": f"a tool that converts time zones ({mode})",
                "what_i_tried": "days_between, which only counts whole days",
                "gap_type": "missing_tool",
                "suggestion": "add convert_time_zone(time, from_zone, to_zone)",
                "resolution": "blocked",
            },
        )
        bad = await client.call_tool("feedback", {"what_i_tried": "nothing yet", "resolution": "gave_up"})
        return {
            "protocol_version": str(client.protocol_version),
            "instructions": client.instructions,
            "tools": [tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in listed.tools],
            "count_text": {"is_error": bool(count.is_error), "text": text_of(count)},
            "good": {"is_error": bool(good.is_error), "text": text_of(good)},
            "bad": {"is_error": bool(bad.is_error), "text": text_of(bad)},
        }


async def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[1]
    modes = argv[2:] or ["legacy", "auto"]
    report = {"client": f"{CLIENT_NAME}/{CLIENT_VERSION}", "modes": {}}
    for mode in modes:
        report["modes"][mode] = await run_mode(command, mode)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
