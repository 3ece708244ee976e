"""Road patrol planning (道路パトロール).

Scope, frequencies, structures, schedules, an independent validator and findings
notices to municipalities.
"""

from snowroute.patrol.plan import PatrolPlan as PatrolPlan
from snowroute.patrol.plan import PatrolReport as PatrolReport
from snowroute.patrol.schedule import plan_patrol as plan_patrol
from snowroute.patrol.scope import PatrolScope as PatrolScope
from snowroute.patrol.scope import patrol_scope as patrol_scope
from snowroute.patrol.validate import validate_patrol as validate_patrol
