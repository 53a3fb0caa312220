"""Measurement (docs/reporting.md): snapshots and read models that the apps below never write to.
Each module holds one subject; they are imported here so Django finds them."""

from reporting.models.fx import FxRate
from reporting.models.nudges import PlanNudge
from reporting.models.rollups import Period, Rollup, RollupState
from reporting.models.settings import ReportingSettings

__all__ = ["FxRate", "Period", "PlanNudge", "ReportingSettings", "Rollup", "RollupState"]
