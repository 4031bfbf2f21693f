"""Reading and validating user data: the only layer that touches the user's files."""

from nrr.dataset.issues import Issue, IssueSet, Severity
from nrr.dataset.staging import StagedData, read_dataset

__all__ = ["Issue", "IssueSet", "Severity", "StagedData", "read_dataset"]
