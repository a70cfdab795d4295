"""Business rules and queries. No HTTP, no sockets; the business id is always passed explicitly.

Functions take an `AsyncSession`, flush their writes and leave the commit to the caller.
"""
