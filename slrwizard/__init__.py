"""slrwizard: a guided terminal wizard that removes the RDS service-linked role safely."""

__version__ = "0.1.0"
