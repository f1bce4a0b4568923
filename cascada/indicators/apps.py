from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "cascada.indicators"
    label = "indicators"

    def ready(self) -> None:
        from cascada.jobs.kinds import JobKind, register
        from cascada.registry.hooks import people_changed, person_erased, person_merged
        from cascada.trainings.hooks import cohorts_changed, completions_changed

        from . import receivers

        # docs/decisions/indicators.md: news that marks the fill table for refilling.
        people_changed.subscribe(receivers.people_changed)
        person_merged.subscribe(receivers.person_merged)
        person_erased.subscribe(receivers.person_erased)
        cohorts_changed.subscribe(receivers.cohorts_changed)
        completions_changed.subscribe(receivers.completions_changed)
        register(
            JobKind(
                key="indicators_fill",
                label=_("Refresh the indicators"),
                handler="cascada.indicators.jobs.fill",
                capability="manage_indicators",
            )
        )
        # docs/decisions/dhis2.md: a push to DHIS2, one per organization at a time.
        register(
            JobKind(
                key="dhis2_push",
                label=_("Send figures to DHIS2"),
                handler="cascada.indicators.dhis2.jobs.push",
                capability="manage_indicators",
                lane="dhis2",
            )
        )
