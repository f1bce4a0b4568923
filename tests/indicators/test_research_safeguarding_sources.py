# ruff: noqa: F811 (fixtures imported from tests/research/conftest.py)
"""Research quotas met and safeguarding referrals as indicators: an organization's own
figures; referrals exact for its safeguarding leads only, never by place."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.indicators.fill import fill_due
from cascada.indicators.models import Indicator
from cascada.indicators.present import indicator_view
from cascada.research.models import Method
from tests.research.conftest import (  # noqa: F401
    coder,
    coder2,
    iquitos,
    lead,
    researcher,
    stranger,
    study,
    upch,
    upch_coordinator,
    upch_viewer,
    vmt,
)
from tests.research.test_analysis import interview, person

pytestmark = pytest.mark.django_db
D = dt.date


def view(code, organization_id, exact=True):
    return indicator_view(
        Indicator.objects.get(code=code, organization=None),
        program_ids=None,
        organization_id=organization_id,
        exact=exact,
        today=D(2026, 12, 31),
    )


def test_quota_cells_met_of_the_cells(study, researcher, upch):
    iq = study.sites.get(name="Iquitos")
    # Iquitos, young men, interviews: 1 needed, 1 interviewed: met. The other three are not.
    interview(study, researcher, person(study, researcher, iq, Method.INTERVIEW, 24))
    fill_due(today=D(2026, 12, 31))
    met = view("quotas_met", upch.pk)
    assert met.exact and met.so_far.number == 25.0  # 1 of 4 cells
    by_method = {r.key: r.value.text for r in view("quotas_met", upch.pk).breakdown}
    assert by_method == {}  # no breakdown asked
