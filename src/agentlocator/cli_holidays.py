"""`agentlocator business holidays`: Israeli holidays offered as suggestions, applied on accept.

Nothing is applied unless the owner names the date with `--accept`; then that date becomes an
override of the business's booking rules (closed, or a short day).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import uuid
from typing import Any


async def _holidays(business_ref: str, year: int | None, accept_date: str | None) -> dict[str, Any]:
    from agentlocator.db.engine import create_engine, session_factory
    from agentlocator.db.models import BusinessId
    from agentlocator.scheduling.holidays_il import accept, holiday_suggestions
    from agentlocator.services.businesses import get_business, update_booking
    from agentlocator.settings import Settings
    from agentlocator.telephony.call_setup import booking_rules

    business_id = BusinessId(uuid.UUID(business_ref))
    engine = create_engine(Settings().database_url)
    try:
        async with session_factory(engine)(
            execution_options={"sqlite_begin": "IMMEDIATE"}
        ) as session:
            business = await get_business(session, business_id)
            if business is None:
                raise LookupError(f"--business: no business {business_ref}")
            today = dt.datetime.now(dt.UTC).date()
            years = [year] if year else [today.year, today.year + 1]
            suggestions = [s for s in holiday_suggestions(years) if year or s.date >= today]
            if accept_date is None:
                return {
                    "business_id": business_ref,
                    "suggestions": [
                        {"date": s.date.isoformat(), "name_he": s.name_he, "name_en": s.name_en,
                         "suggested": s.suggested}
                        for s in suggestions
                    ],
                }  # fmt: skip
            chosen = [s for s in suggestions if s.date.isoformat() == accept_date]
            if not chosen:
                raise LookupError(f"--accept: no holiday suggestion on {accept_date}")
            rules = booking_rules(business)
            if rules is None:
                raise LookupError("the business does not book appointments")
            document = accept(rules, chosen[0]).model_dump(mode="json", exclude={"timezone"})
            await update_booking(session, business_id, document)
            await session.commit()
            return {"business_id": business_ref, "accepted": accept_date, "booking": document}
    finally:
        await engine.dispose()


def _run(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(_holidays(args.business, args.year, args.accept))
    except (LookupError, ValueError) as error:
        print(f"agentlocator: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def add_holidays(business_commands: Any) -> None:
    """Register `business holidays` under the `business` command group."""
    holidays = business_commands.add_parser(
        "holidays", help="list Israeli holiday suggestions; --accept DATE applies one"
    )
    holidays.add_argument("--business", required=True, help="the business id")
    holidays.add_argument("--year", type=int, default=None)
    holidays.add_argument("--accept", default=None, metavar="YYYY-MM-DD")
    holidays.set_defaults(handler=_run)
