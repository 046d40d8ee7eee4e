"""matcher: resource-first matching of job-seekers to roles at social enterprises."""

__version__ = "0.1.0"
