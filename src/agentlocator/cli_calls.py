"""`agentlocator call-lead --lead ID`: the agent calls a lead (an operator command)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from typing import Any


async def _place(lead_ref: str) -> dict[str, str]:
    from agentlocator.db.models import BusinessId, Lead, LeadId
    from agentlocator.runtime import build_runtime
    from agentlocator.settings import Settings
    from agentlocator.telephony.outbound import OutboundCallError, call_lead

    try:
        lead_uuid = uuid.UUID(lead_ref)
    except ValueError:
        raise OutboundCallError(f"--lead: not a lead id: {lead_ref!r}") from None
    runtime = build_runtime(Settings())
    try:
        async with runtime.db() as session:
            # The operator names a lead only; the lead row says which business it belongs to, and
            # everything after this runs scoped to that business.
            lead = await session.get(Lead, lead_uuid)
        if lead is None:
            raise OutboundCallError(f"--lead: no lead {lead_ref}")
        placed = await call_lead(runtime, BusinessId(lead.business_id), LeadId(lead.id))
    finally:
        await runtime.close()
    return {
        "call_sid": placed.call_sid,
        "business_id": placed.business_id,
        "lead_id": placed.lead_id,
    }


def _call_lead(args: argparse.Namespace) -> int:
    from agentlocator.telephony.outbound import OutboundCallError

    try:
        placed = asyncio.run(_place(args.lead))
    except OutboundCallError as error:
        print(f"agentlocator: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(placed))
    return 0


def add_call_lead(commands: Any) -> None:
    """Register the `call-lead` sub-command."""
    call = commands.add_parser("call-lead", help="have the agent call a lead (Twilio REST)")
    call.add_argument("--lead", required=True, help="the lead's id")
    call.set_defaults(handler=_call_lead)
