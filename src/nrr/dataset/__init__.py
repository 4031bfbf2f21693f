"""Reading and validating user data: the only layer that touches the user's files."""

from nrr.dataset.issues import Issue, IssueSet, Severity
from nrr.dataset.mapped import MappedTable, map_table
from nrr.dataset.mapping import Mapping, TableMapping, load_mapping
from nrr.dataset.staged import StagedData
from nrr.dataset.staging import read_dataset

__all__ = [
    "Issue",
    "IssueSet",
    "MappedTable",
    "Mapping",
    "Severity",
    "StagedData",
    "TableMapping",
    "load_mapping",
    "map_table",
    "read_dataset",
]
