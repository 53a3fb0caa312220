"""Measurement (docs/reporting.md): snapshots and read models that the apps below never write to.
Each module holds one subject; they are imported here so Django finds them."""

from reporting.models.rollups import Period, Rollup, RollupState

__all__ = ["Period", "Rollup", "RollupState"]
