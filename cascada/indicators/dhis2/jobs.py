"""The push as a background job (kind ``dhis2_push``, lane ``dhis2``: one push per
organization at a time): run as the user who asked, it builds the payload from the fill
table as it is then and sends it (``services.push_run``). Sending twice is harmless:
DHIS2 keys every value, so a second push counts as updated or ignored."""

from __future__ import annotations

from typing import Any

from ..models import Dhis2Push
from .services import push_run


def push(ctx: Any) -> dict[str, Any]:
    row = Dhis2Push.objects.select_related("organization").get(
        pk=ctx.params["push"], organization_id=ctx.job.organization_id
    )
    done = push_run(actor=ctx.actor, push=row)
    return {"push": done.pk, "status": done.status, "values": done.values_sent}
