"""How long a cascade needs to reach a target, from what was observed so far.

Model (written out for the reader on the page and in ``docs/decisions/cascade.md``):
each generation, the active trainers (``trainers × replication_rate``) each run
``cohorts_per_trainer`` cohorts of ``cohort_size`` people, of whom ``completion`` complete;
a share ``trainer_share`` of those completers become the next generation's trainers, who
start ``months_to_first_cohort`` months later. Reach grows generation by generation until
the target is met (or ``max_generations`` is exhausted: the cascade dies out or is too slow).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Assumptions:
    target: int
    reached: int  # people already reached (completed)
    trainers: int  # trainers available now (the current generation)
    replication_rate: float  # share of trained trainers who run at least one cohort
    cohorts_per_trainer: float
    cohort_size: float
    completion: float  # share of enrolled who complete
    trainer_share: float  # share of completers who become trainers
    months_to_first_cohort: float
    max_generations: int = 20


@dataclass
class Step:
    generation: int
    trainers: int
    new_people: int
    cumulative: int
    month: float


@dataclass
class Forecast:
    assumptions: Assumptions
    steps: list[Step] = field(default_factory=list)
    reached_target: bool = False
    generations_needed: int | None = None
    months_needed: float | None = None
    extra_trainers_needed: int = 0  # more trainers now to reach the target in one generation

    def as_dict(self) -> dict[str, Any]:
        return {
            "assumptions": asdict(self.assumptions),
            "steps": [asdict(s) for s in self.steps],
            "reached_target": self.reached_target,
            "generations_needed": self.generations_needed,
            "months_needed": self.months_needed,
            "extra_trainers_needed": self.extra_trainers_needed,
        }


def cascade_forecast(a: Assumptions) -> Forecast:
    out = Forecast(assumptions=a)
    per_trainer = max(a.replication_rate, 0) * a.cohorts_per_trainer * a.cohort_size * a.completion
    remaining = max(a.target - a.reached, 0)
    if remaining == 0:
        out.reached_target, out.generations_needed, out.months_needed = True, 0, 0.0
        return out
    if per_trainer > 0:
        out.extra_trainers_needed = max(math.ceil(remaining / per_trainer) - a.trainers, 0)
    else:
        out.extra_trainers_needed = 0
    trainers, total, month = float(a.trainers), float(a.reached), 0.0
    for g in range(1, a.max_generations + 1):
        new = trainers * per_trainer
        if new < 0.5:
            break  # the cascade dies out
        total += new
        month += a.months_to_first_cohort
        out.steps.append(Step(g, round(trainers), round(new), round(total), round(month, 1)))
        if total >= a.target:
            out.reached_target = True
            out.generations_needed = g
            out.months_needed = round(month, 1)
            break
        trainers = new * a.trainer_share
    return out


def assumptions_from_figures(fig: Any, *, target: int) -> Assumptions:
    """Observed values from a program's figures (``selectors.Figures``)."""
    levels = fig.by_level
    last = max(levels) if levels else 1
    trained = fig.trained_trainers
    replication = fig.replicating / trained if trained else 0.0
    completion = fig.completed / fig.enrolled if fig.enrolled else 0.0
    cohort_size = fig.enrolled / fig.cohorts if fig.cohorts else 0.0
    cohorts_per_trainer = fig.cohorts / fig.replicating if fig.replicating else 0.0
    trainer_share = trained / fig.completed if fig.completed else 0.0
    months = (fig.median_days_to_first or 0) / 30.44
    # Trainers of the newest generation who have not yet run a cohort are the next wave.
    newest = fig.by_level_trainers.get(last, [0, 0])
    return Assumptions(
        target=target,
        reached=fig.completed,
        trainers=max(newest[0], 0) or trained,
        replication_rate=round(replication, 3),
        cohorts_per_trainer=round(cohorts_per_trainer, 2),
        cohort_size=round(cohort_size, 1),
        completion=round(completion, 3),
        trainer_share=round(trainer_share, 3),
        months_to_first_cohort=round(months, 1),
    )
