"""auditor: a rule-based auditor for Chinese government budget disclosures.

For notebooks: `auditor.audit(paths) -> Result` with `.flags_frame()` and `.claims_frame()`.
(The pipeline module stays importable as `from auditor.audit import Auditor`.)
"""

from auditor.api import Result, audit  # noqa: E402  (binds the function over the submodule attribute)

__all__ = ["Result", "audit"]
