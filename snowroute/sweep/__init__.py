"""Scenario sweeps: every combination of chosen scenario values, on Dask.

:func:`sweep_variants` reads the scenario once per combination of ``--vary``
values (checking each before anything runs), :func:`run_sweep` runs them as tasks
on a Dask cluster (a local one by default) or in this process, and writes each
variant's outputs and the comparison table, charts and report page.
"""

from snowroute.sweep.run import SweepResult as SweepResult
from snowroute.sweep.run import run_sweep as run_sweep
from snowroute.sweep.task import VariantOutcome as VariantOutcome
from snowroute.sweep.task import run_variant as run_variant
from snowroute.sweep.vary import Variant as Variant
from snowroute.sweep.vary import Variation as Variation
from snowroute.sweep.vary import parse_set as parse_set
from snowroute.sweep.vary import parse_vary as parse_vary
from snowroute.sweep.vary import sweep_variants as sweep_variants
