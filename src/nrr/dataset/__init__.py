"""Reading and validating user data: the only layer that touches the user's files."""

from nrr.dataset.issues import Issue, IssueSet, Severity
from nrr.dataset.staged import StagedData
from nrr.dataset.staging import read_dataset

__all__ = ["Issue", "IssueSet", "Severity", "StagedData", "read_dataset"]
