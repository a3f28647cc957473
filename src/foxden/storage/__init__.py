"""Storage: SQLAlchemy Core tables and one module of short query verbs per aggregate.

Every query function takes a ``Connection`` as its first argument so that the caller, through
``Database.read`` or ``Database.write``, owns the transaction.
"""
