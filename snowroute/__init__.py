"""snowroute: winter road maintenance routing shared between road administrators."""

from snowroute._errors import (
    InfeasibleError as InfeasibleError,
)
from snowroute._errors import (
    InputFileError as InputFileError,
)
from snowroute._errors import (
    NetworkValidationError as NetworkValidationError,
)
from snowroute._errors import (
    ProblemError as ProblemError,
)
from snowroute._errors import (
    ScenarioError as ScenarioError,
)
from snowroute._errors import (
    SnowrouteError as SnowrouteError,
)
from snowroute._errors import (
    TaggingError as TaggingError,
)

__version__ = "0.1.0"
