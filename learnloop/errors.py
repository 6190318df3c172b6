"""Typed errors whose message is the one line a user sees."""


class LearnLoopError(Exception):
    """Base class: the message is shown to the user as it is, without a traceback."""

    exit_code = 1


class ConfigError(LearnLoopError):
    """The configuration is invalid; the message names the key."""

    exit_code = 2


class FormatError(LearnLoopError):
    """A landed file cannot be read; the message names the file, the format and the defect."""


class GateFailed(LearnLoopError):
    """A quality gate found violations; nothing was published."""

    exit_code = 3


class PublishError(LearnLoopError):
    """Publishing or rolling back the warehouse failed."""
