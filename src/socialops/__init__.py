"""socialops: an operations workspace for a company's official social-media accounts."""

__version__ = "0.1.0"
