"""Drives an MCP server wrapped with `patchwork_runtime::rmcp::observe` with the official MCP Python SDK (`mcp` on
PyPI), as an independent client, making the mistakes agents make without saying so.

Usage: signals_client.py stdio SERVER_COMMAND   (the server is started with this process's environment)
       signals_client.py http URL [MODE ...]      (modes: `legacy` = a session; `auto` = the stateless 2026-07-28
                                                   lifecycle; default: legacy)

Calls a tool the server does not offer twice, `convert_units` with a missing argument and with an argument of the
wrong type, and `convert_units` between units of different quantities three times (the tool answers isError), one
good call, and `feedback` with arguments it refuses (an agent told to fix its report: not a gap of the server), once
per mode. Prints one JSON object on stdout for the Rust test (tests/tests/rmcp_python_signals.rs): what the client
saw for each call of each mode. It asserts nothing itself.
"""

import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters
from mcp.types import Implementation

CLIENT_NAME = "patchwork-e2e-python-signals"
CLIENT_VERSION = "0.9.3"


def text_of(result):
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


async def outcome(call):
    try:
        result = await call
        return {"is_error": bool(result.is_error), "text": text_of(result)}
    except Exception as error:  # a JSON-RPC error: what the client saw
        return {"error": str(error)}


async def run(target, mode):
    async with Client(
        target,
        mode=mode,
        client_info=Implementation(name=CLIENT_NAME, version=CLIENT_VERSION),
        cache=None,
        read_timeout_seconds=60,
    ) as client:
        listed = await client.list_tools()
        seen = {"tools": sorted(tool.name for tool in listed.tools), "calls": []}
        calls = [
            ("translate_text", {"text": "hola"}),
            ("translate_text", {"text": "adios"}),
            ("convert_units", {"value": 3, "from": "km"}),
            ("convert_units", {"value": "three-point-two-secret", "from": "km", "to": "mi"}),
            ("convert_units", {"value": 1, "from": "kg", "to": "m"}),
            ("convert_units", {"value": 2, "from": "kg", "to": "m"}),
            ("convert_units", {"value": 3, "from": "kg", "to": "m"}),
            ("convert_units", {"value": 5, "from": "km", "to": "mi"}),
            ("feedback", {"what_i_tried": "nothing yet"}),
        ]
        for name, arguments in calls:
            seen["calls"].append({"tool": name, **await outcome(client.call_tool(name, arguments))})
        return seen


async def main(argv):
    if len(argv) < 3 or argv[1] not in ("stdio", "http") or (argv[1] == "stdio" and len(argv) != 3):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "stdio":
        target = StdioServerParameters(command=argv[2], env=dict(os.environ))
    else:
        target = argv[2]
    modes = argv[3:] or ["legacy"]
    report = {"client": f"{CLIENT_NAME}/{CLIENT_VERSION}", "runs": {}}
    for mode in modes:
        report["runs"][mode] = await run(target, mode)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
